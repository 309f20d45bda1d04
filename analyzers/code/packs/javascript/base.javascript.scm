; JavaScript only: class fields.
(field_definition property: (property_identifier) @assign.name value: (_) @assign.value) @assign
