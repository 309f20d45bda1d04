package knowledge

import "github.com/threatls/threatls/model"

// Meta findings are about the analysis itself rather than the system: a file that does not
// parse, a suppression that is malformed or stale. They have IDs, docs and severities like
// threats, but no condition: the engine reports them.
const (
	MetaParse        = "TLS-001"                // a file could not be fully read
	MetaIgnoreReason = "TLS-002"                // threatls:ignore without a reason
	MetaIgnoreUnused = "TLS-003"                // threatls:ignore that matches no finding
	MetaIgnoreExpiry = "TLS-004"                // threatls:ignore past its until= date
	MetaModel        = "TLS-005"                // the system model could not resolve a reference or a declaration
	MetaRiskInvalid  = "TLS-006"                // a risk register entry that cannot apply
	MetaRiskUnused   = "TLS-007"                // a risk register entry that matches no finding
	MetaRiskExpired  = "TLS-008"                // a risk register entry past its until: date
	MetaNotAnalysed  = model.ProblemNotAnalysed // a file of a format threatls reads that it could not read
	MetaOutside      = model.ProblemOutside     // a module, base or chart whose source is outside the workspace
)

// MetaRule describes a meta finding.
type MetaRule struct {
	ID       string
	Title    string
	Severity model.Severity
	Docs     Docs
}

var metaRules = []MetaRule{
	{MetaParse, "File could not be fully analysed", model.Low, Docs{
		Why: "Part of the file does not parse, so threats in that part may be missed. Everything " +
			"that does parse was analysed.",
		Fix: "Fix the syntax error at the reported position; the findings of the rest of the file " +
			"are already shown.",
	}},
	{MetaIgnoreReason, "Accepted risk without a reason", model.Low, Docs{
		Why: "A `threatls:ignore` comment must say why the risk is accepted, so that the next " +
			"reviewer can judge it. Without a reason it suppresses nothing.",
		Fix: "Write the reason after the threat ID: `# threatls:ignore AWS-S3-001 public website " +
			"assets, reviewed by security 2026-11`.",
	}},
	{MetaIgnoreUnused, "Accepted risk matches no finding", model.Low, Docs{
		Why: "A `threatls:ignore` comment that suppresses nothing is stale (the threat was fixed " +
			"or the ID is mistyped) and would silently hide a future finding.",
		Fix: "Remove the comment, or correct the threat ID and place it on the line above the " +
			"definition it covers.",
	}},
	{MetaIgnoreExpiry, "Accepted risk has expired", model.Medium, Docs{
		Why: "The `until=` date of a `threatls:ignore` comment has passed: the acceptance must be " +
			"reviewed again, so the finding is reported as before.",
		Fix: "Mitigate the threat, or review the acceptance and set a new `until=` date.",
	}},
	{MetaModel, "Model declaration does not resolve", model.Low, Docs{
		Why: "A declaration of the system model — a threatls.yaml entry, a flow of a design " +
			"document or of a model file — names an element the workspace does not have, so " +
			"it could not be merged into the model. Everything else was.",
		Fix: "Correct the name (an element's ID, name or alias), give the entry a `kind:` to " +
			"declare a new element, or remove it.",
	}},
	{MetaRiskInvalid, "Risk register entry cannot apply", model.Medium, Docs{
		Why: "An entry of the risk register (`risks:` or `mitigations:` in threatls.yaml, a " +
			"Threagile `risk_tracking` entry, an OTM threat or mitigation state) is malformed: " +
			"it names no threat or one the library does not have, has no owner or no reason, " +
			"an `until:` that is not a date, or an element the model does not have. It " +
			"accepts and mitigates nothing until it is corrected.",
		Fix: "Correct the entry as the message says: every entry names a `threat:`, an " +
			"`owner:` and a `reason:` (a mitigation a `control:`), optionally an `element:` or " +
			"a `fingerprint:`, a `ticket:` and an `until: YYYY-MM-DD`.",
	}},
	{MetaRiskUnused, "Risk register entry matches no finding", model.Low, Docs{
		Why: "An entry of the risk register that covers no finding is stale — the threat was " +
			"fixed, or the element renamed — and would silently cover a future finding.",
		Fix: "Remove the entry, or correct its threat, element or fingerprint.",
	}},
	{MetaRiskExpired, "Risk register entry has expired", model.Medium, Docs{
		Why: "The `until:` date of an entry of the risk register has passed: the acceptance " +
			"or the declared mitigation must be reviewed again, so the findings it covered " +
			"are reported as open.",
		Fix: "Mitigate the threat, or review the entry with its owner and set a new `until:`.",
	}},
}

func init() {
	metaRules = append(metaRules, MetaRule{MetaNotAnalysed, "File was not analysed", model.High, Docs{
		Why: "A file whose name says it is of a format threatls reads was not analysed: it is " +
			"over the size limit, cannot be read, is a link to outside the workspace, or is " +
			"written in a syntax threatls does not read yet (Terraform's JSON); or a file makes " +
			"the workspace apply one threatls does not read (a Compose service that extends a " +
			"service of a file not named as Compose files are). " +
			"Whatever it holds is not in the model and no finding can come from it, so a gate " +
			"that passes it would pass anything written there.",
		Fix: "Make the file readable, keep it under the size limit (setting maxFileSize, " +
			"`--max-file-size`), keep the real file in the workspace instead of a link to " +
			"outside it, or name a Compose file that others extend docker-compose.<name>.yaml. The severity of this finding is a setting (`notAnalysedSeverity`, " +
			"`--not-analysed-severity`): high by default, so that a CI gate does not pass it.",
	}}, MetaRule{MetaOutside, "Source from outside the workspace", model.Info, Docs{
		Why: "The workspace applies something it does not hold: a Terraform module from the " +
			"registry, a git repository or an archive; a kustomization's remote base, resource " +
			"or component; a Helm chart or chart dependency from a repository. What that " +
			"source declares is not in the model, so no threat of it is reported here, and " +
			"what the workspace passes it is not followed. Nothing outside the workspace is " +
			"read or fetched.",
		Fix: "Scan the source where it is kept, or vendor it into the repository (a local " +
			"`./` module source, a base directory, a chart under `charts/`) so that it is " +
			"analysed with what uses it.",
	}})
}

// Meta returns the meta rules, sorted by ID.
func Meta() []MetaRule { return metaRules }

// MetaRuleFor returns the meta rule with the given ID.
func MetaRuleFor(id string) (MetaRule, bool) {
	for _, m := range metaRules {
		if m.ID == id {
			return m, true
		}
	}
	return MetaRule{}, false
}
