; TypeScript only: typed parameters (constructor(private http: HttpService)) and fields.
(required_parameter pattern: (identifier) @decl.name type: (type_annotation (_) @decl.type)) @decl
(public_field_definition name: (property_identifier) @decl.name type: (type_annotation (_) @decl.type)) @decl
(public_field_definition name: (property_identifier) @assign.name value: (_) @assign.value) @assign
