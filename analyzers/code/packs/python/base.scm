; What the engine reads in Python (capture conventions: docs/code.md).

; import requests / import requests as r / import os.path
(import_statement name: (dotted_name) @import.module) @import
(import_statement name: (aliased_import name: (dotted_name) @import.module alias: (identifier) @import.alias)) @import
; from flask import Flask, request / from x import y as z / from x import *
(import_from_statement module_name: (dotted_name) @import.module name: (dotted_name) @import.name) @import
(import_from_statement module_name: (dotted_name) @import.module name: (aliased_import name: (dotted_name) @import.name alias: (identifier) @import.alias)) @import
(import_from_statement module_name: (dotted_name) @import.module (wildcard_import) @import.wildcard) @import
; from .clients import summarize, from . import db: relative to the file's package
(import_from_statement module_name: (relative_import) @import.module name: (dotted_name) @import.name) @import

; Calls, and decorators without arguments (@login_required).
(call) @call
(decorator [(identifier) (attribute)] @call)

; x = f(...), self.client = httpx.Client(), with httpx.Client() as client
(assignment left: [(identifier) (attribute)] @assign.name right: (_) @assign.value) @assign
(with_item value: (as_pattern (_) @assign.value alias: (as_pattern_target [(identifier) (attribute)] @assign.name))) @assign
; typed parameters and annotated assignments: client: httpx.Client
(typed_parameter (identifier) @decl.name type: (type) @decl.type) @decl
(assignment left: (identifier) @decl.name type: (type) @decl.type) @decl

; os.environ["X"]
(subscript value: (_) @read.object subscript: (string) @read.key) @read

; keyword arguments anywhere: verify=False
(keyword_argument name: (identifier) @setting.key value: (_) @setting.value) @setting

; class Greeter(pb2_grpc.GreeterServicer)
(class_definition name: (identifier) @class.name superclasses: (argument_list [(identifier) (attribute)] @class.super)) @class

; if __name__ == "__main__":
(if_statement condition: (comparison_operator (identifier) @_n (string (string_content) @_m)) (#eq? @_n "__name__") (#eq? @_m "__main__")) @main
