; What the engine reads in C# (capture conventions: docs/code.md).

; using Microsoft.AspNetCore.Mvc; (a namespace: its names are in scope) / using R = StackExchange.Redis;
(using_directive [(qualified_name) (identifier)] @import.module) @import
(using_directive name: (identifier) @import.alias [(qualified_name) (identifier)] @import.module) @import

; Calls, constructors and attributes.
(invocation_expression) @call
(object_creation_expression) @call
(attribute) @call

; var app = builder.Build(); _http = http;
(variable_declarator name: (identifier) @assign.name (_) @assign.value) @assign
(assignment_expression left: [(identifier) (member_access_expression)] @assign.name right: (_) @assign.value) @assign
; typed fields, locals and parameters (var is no type)
(variable_declaration type: (_) @decl.type (variable_declarator name: (identifier) @decl.name) (#not-eq? @decl.type "var")) @decl
(parameter type: (_) @decl.type name: (identifier) @decl.name) @decl

; builder.Configuration["Orders:Url"]
(element_access_expression expression: (_) @read.object subscript: (bracketed_argument_list (argument (string_literal) @read.key))) @read

; properties set in object initializers: new HttpClientHandler { ServerCertificateCustomValidationCallback = … }
(assignment_expression left: (identifier) @setting.key right: (_) @setting.value) @setting
(assignment_expression left: (member_access_expression name: (identifier) @setting.key) right: (_) @setting.value) @setting

; class GreeterService : Greeter.GreeterBase
(class_declaration name: (identifier) @class.name (base_list (_) @class.super)) @class

; Program.cs top-level statements, or static Main
(compilation_unit (global_statement) @main)
(method_declaration (modifier) @_s (#eq? @_s "static") name: (identifier) @_n (#eq? @_n "Main")) @main
