; What the engine reads in JavaScript and TypeScript (capture conventions: docs/code.md).

; import express from 'express' / import { Pool as P } from 'pg' / import * as grpc from '@grpc/grpc-js'
(import_statement (import_clause (identifier) @import.alias) source: (string) @import.module) @import
(import_statement (import_clause (named_imports (import_specifier !alias name: (_) @import.name))) source: (string) @import.module) @import
(import_statement (import_clause (named_imports (import_specifier name: (_) @import.name alias: (_) @import.alias))) source: (string) @import.module) @import
(import_statement (import_clause (namespace_import (identifier) @import.alias)) source: (string) @import.module) @import
; const express = require('express') / const { Pool } = require('pg')
(variable_declarator name: (identifier) @import.alias value: (call_expression function: (identifier) @_r arguments: (arguments . (string) @import.module)) (#eq? @_r "require")) @import
(variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @import.name) value: (call_expression function: (identifier) @_r arguments: (arguments . (string) @import.module)) (#eq? @_r "require")) @import

; Calls, constructors, and decorators without arguments.
(call_expression) @call
(new_expression) @call
(decorator [(identifier) (member_expression)] @call)

; const app = express(), this.client = new Redis(), class fields
(variable_declarator name: (identifier) @assign.name value: (_) @assign.value) @assign
(assignment_expression left: [(identifier) (member_expression)] @assign.name right: (_) @assign.value) @assign

; process.env.X, process.env["X"]
(member_expression object: (member_expression property: (property_identifier) @_e (#eq? @_e "env")) @read.object property: (property_identifier) @read.key) @read
(subscript_expression object: (_) @read.object index: (string) @read.key) @read

; object keys: { rejectUnauthorized: false }
(pair key: [(property_identifier) (string)] @setting.key value: (_) @setting.value) @setting
