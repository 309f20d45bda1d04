// Package knowledge holds the threat library as data — YAML files embedded in the binary, one
// entry per threat — the compiler of their conditions (CEL over the model), and the evaluator
// that turns a model graph into findings. It knows nothing of any file format: threats are
// written against the model's normalised attributes, and fixes are operations that an
// analyzer carries out.
package knowledge

import (
	"slices"

	"github.com/threatls/threatls/model"
)

// Threat is one entry of the library. IDs are stable and never reused.
type Threat struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// Stride lists STRIDE categories: Spoofing, Tampering, Repudiation, InformationDisclosure,
	// DenialOfService, ElevationOfPrivilege.
	Stride []string `yaml:"stride"`
	CWE    []string `yaml:"cwe"`    // "CWE-311"
	CAPEC  []string `yaml:"capec"`  // "CAPEC-37"
	Attack []string `yaml:"attack"` // MITRE ATT&CK technique IDs, "T1530"
	// Likelihood and Impact are low, medium or high; their product gives the severity.
	Likelihood string `yaml:"likelihood"`
	Impact     string `yaml:"impact"`
	// Informational makes the severity info, whatever likelihood × impact: a finding that says
	// what the workspace does not declare, kept apart from the findings it makes likely.
	Informational bool `yaml:"informational"`
	// AppliesTo selects the elements the condition is evaluated on: any listed type, or any
	// listed kind. At least one is required.
	AppliesTo Selector `yaml:"applies_to"`
	// Condition is a CEL expression over `e` (the element: e.kind, e.type, e.name, e.attrs)
	// and `workspace` (workspace.types: a map from element type to count). An attribute that
	// is absent or unknown makes the finding tentative, not certain.
	Condition string `yaml:"condition"`
	// Location names the attribute a diagnostic underlines; when that attribute was not read
	// from the source, the element's head is underlined instead.
	Location string `yaml:"location"`
	// Message is a one-line text/template naming the concrete element: {{.Name}}, {{.Type}},
	// {{.Attr "acl"}}.
	Message     string       `yaml:"message"`
	Mitigations []Mitigation `yaml:"mitigations"`
	References  []string     `yaml:"references"`
	// Compliance maps a framework (one of Frameworks) to the IDs of the requirements the
	// threat bears on: a finding is evidence against them. ComplianceRationale says, in one
	// line, why the mapping holds; ComplianceSource where it comes from ("" is the library's
	// own mapping, made by reading each requirement against the threat's condition).
	Compliance          map[string][]string `yaml:"compliance"`
	ComplianceRationale string              `yaml:"compliance_rationale"`
	ComplianceSource    string              `yaml:"compliance_source"`
	Docs                Docs                `yaml:"docs"`

	// file is the library file the entry came from, for error messages.
	file string
	// types are AppliesTo.Types and the names the resource mapping gives the same services in
	// other formats (AWS::S3::Bucket for aws_s3_bucket).
	types []string
}

// Types returns the element types the threat applies to: those it lists, then the names of
// the same resources in other formats.
func (t *Threat) Types() []string {
	if t.types == nil {
		return t.AppliesTo.Types
	}
	return t.types
}

// Applies reports whether the threat selects el, by type or by kind.
func (t *Threat) Applies(el *model.Element) bool {
	return slices.Contains(t.Types(), el.Type) || slices.Contains(t.AppliesTo.Kinds, el.Kind)
}

// Selector chooses elements by type or kind. Mapped selects every type whose row of the
// resource mapping maps all the attributes it lists (in every format): a threat written
// against an attribute applies to each resource type that has it, and to the types added
// later, with no list to keep.
type Selector struct {
	Types  []string     `yaml:"types"`
	Kinds  []model.Kind `yaml:"kinds"`
	Mapped []string     `yaml:"mapped"`
}

// Mitigation is what removes or reduces a finding. Fixes are keyed by element type: the
// operations that carry the mitigation out for that type of element. Attr names a normalised
// attribute whose secure value the mitigation gives: the resource mapping (package mapping)
// holds the operations per type and format, so that one mitigation fixes every type the
// threat applies to; Fixes, when it has the element's type, wins.
type Mitigation struct {
	Title string                   `yaml:"title"`
	Attr  string                   `yaml:"attr"`
	Fixes map[string][]model.FixOp `yaml:"fixes"`
}

// Docs is the text a hover, the rules page and SARIF help show. Markdown.
type Docs struct {
	Why            string `yaml:"why"`
	Detection      string `yaml:"detection"`
	Fix            string `yaml:"fix"`
	FalsePositives string `yaml:"false_positives"`
	// Examples are before/after snippets for elements no mechanical fix applies to, adapted
	// to the element's names when shown (see Guide).
	Examples []Example `yaml:"examples"`
	// Before and After are a short example of the threat in source (Terraform, a
	// CloudFormation template, a manifest) and of its fix.
	Before string `yaml:"before"`
	After  string `yaml:"after"`
}

// Compliance frameworks a threat may map to: keys of Threat.Compliance, and the names of the
// catalogues under compliance/.
var Frameworks = []string{"pci-dss-4.0", "dora", "iso-27001-2022", "nist-800-53-r5",
	"owasp-asvs-4.0", "owasp-asvs-5.0", "cis-aws-foundations-3.0", "cis-kubernetes-1.9"}
