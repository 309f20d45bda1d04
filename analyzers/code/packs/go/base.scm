; What the engine reads in Go (capture conventions: docs/code.md).

; import "net/http" / import gin "github.com/gin-gonic/gin" / import . "x" / import _ "x"
(import_spec !name path: (_) @import.module) @import
(import_spec name: (_) @import.alias path: (_) @import.module) @import

; Calls and composite literals (&tls.Config{InsecureSkipVerify: true}).
(call_expression) @call
(composite_literal) @call

; x := f(), x = f(), var x = f(): the first name takes the first value.
(short_var_declaration left: (expression_list . (identifier) @assign.name) right: (expression_list . (_) @assign.value)) @assign
(assignment_statement left: (expression_list . [(identifier) (selector_expression)] @assign.name) right: (expression_list . (_) @assign.value)) @assign
(var_spec name: (identifier) @assign.name value: (expression_list . (_) @assign.value)) @assign
; var c *http.Client, func f(db *sql.DB)
(var_spec name: (identifier) @decl.name type: (_) @decl.type) @decl
(parameter_declaration name: (identifier) @decl.name type: (_) @decl.type) @decl
; struct { db *sql.DB }: reached as s.db only
(field_declaration name: (field_identifier) @field.name type: (_) @field.type) @field

; Fields set in composite literals: InsecureSkipVerify: true.
(keyed_element key: (literal_element (identifier) @setting.key) value: (literal_element) @setting.value) @setting

; func main in package main.
(source_file (package_clause (package_identifier) @_p (#eq? @_p "main")) (function_declaration name: (identifier) @_n (#eq? @_n "main")) @main)
