; What the engine reads in Java (capture conventions: docs/code.md).

; import org.springframework.web.client.RestTemplate; import x.y.*; import static a.B.c;
(import_declaration (scoped_identifier) @import.module) @import
(import_declaration (scoped_identifier) @import.module (asterisk) @import.wildcard) @import

; Calls, constructors and annotations.
(method_invocation) @call
(object_creation_expression) @call
(annotation) @call
(marker_annotation) @call

; RestTemplate rest = new RestTemplate(); this.rest = rest;
(variable_declarator name: (identifier) @assign.name value: (_) @assign.value) @assign
(assignment_expression left: [(identifier) (field_access)] @assign.name right: (_) @assign.value) @assign
; typed locals, fields and parameters (var is no type)
(local_variable_declaration type: (_) @decl.type declarator: (variable_declarator name: (identifier) @decl.name) (#not-eq? @decl.type "var")) @decl
(field_declaration type: (_) @decl.type declarator: (variable_declarator name: (identifier) @decl.name)) @decl
(formal_parameter type: (_) @decl.type name: (identifier) @decl.name) @decl

; supertypes: extends GreeterGrpc.GreeterImplBase, implements X509TrustManager, extends JpaRepository<…>
(class_declaration name: (identifier) @class.name superclass: (superclass (_) @class.super)) @class
(class_declaration name: (identifier) @class.name interfaces: (super_interfaces (type_list (_) @class.super))) @class
(interface_declaration name: (identifier) @class.name (extends_interfaces (type_list (_) @class.super))) @class

; public static void main(String[] args)
(method_declaration (modifiers "static") name: (identifier) @_n (#eq? @_n "main")) @main
