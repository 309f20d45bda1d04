// Package knowledge holds the threat library as data — YAML files embedded in the binary, one
// entry per threat — the compiler of their conditions (CEL over the model), and the evaluator
// that turns a model graph into findings. It knows nothing of any file format: threats are
// written against the model's normalised attributes, and fixes are operations that an
// analyzer carries out.
package knowledge

import "github.com/threatls/threatls/model"

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
	// Informational marks a threat about what the workspace does not say rather than what it
	// does (nothing says an entry point authenticates): its findings are of severity info,
	// until a threat of its own reports the case where it is likely to matter.
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
}

// Selector chooses elements by type or kind.
type Selector struct {
	Types []string     `yaml:"types"`
	Kinds []model.Kind `yaml:"kinds"`
}

// Mitigation is what removes or reduces a finding. Fixes are keyed by element type: the
// operations that carry the mitigation out for that type of element.
type Mitigation struct {
	Title string                   `yaml:"title"`
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
}

// Compliance frameworks a threat may map to: keys of Threat.Compliance, and the names of the
// catalogues under compliance/.
var Frameworks = []string{"pci-dss-4.0", "dora", "iso-27001-2022", "nist-800-53-r5",
	"owasp-asvs-4.0", "owasp-asvs-5.0", "cis-aws-foundations-3.0", "cis-kubernetes-1.9"}
