// Package threagile reads Threagile models (threagile.yaml) into the system model as documented
// elements: what the model declares is compared with what the code and the infrastructure say,
// never taken over them.
//
// Files: a .yaml or .yml file whose base name contains "threagile" in any case
// (threagile.yaml, threagile-model.yml, shop.threagile.yaml). Editors have no language ID for
// Threagile, so a document without a path is never read as one.
//
// Elements, all with Provenance documented and attributes of origin declared:
//
//   - technical_assets become components (type process), stores (datastore) or actors
//     (external-entity), Type "threagile_<type>" with "-" written "_", ID
//     "threagile:<file>/<asset id>", Name the asset's title, aliases the id and the title.
//     Attributes: technology (the first tag naming a product — mysql, apache, keycloak, … —
//     else technology or the first of technologies, unless unknown-technology), internet_facing
//     (internet), in_scope (not out_of_scope), owner, encrypted_at_rest (encryption is not
//     none), category (stores, from the technology: database, file, volume, queue, secrets,
//     search, bucket), data (the ids of data_assets_stored), classification (the most
//     sensitive data asset stored, see below) and zone (the trust boundary listing the asset
//     in technical_assets_inside).
//   - trust_boundaries become zones, Type "threagile_<type>", ID
//     "threagile:<file>/zone:<boundary id>". trust is internet when the boundary's id or title
//     says internet, dmz when it says DMZ, otherwise internal (every Threagile boundary type
//     encloses the system's own assets); segmented is true for the filtering types
//     network-cloud-security-group and network-policy-namespace-isolation; parent comes from
//     the trust_boundaries_nested of the enclosing boundary.
//   - communication_links become flows from their asset, Type "threagile_communication_link",
//     ID "threagile:<file>/<asset id>/<link id>" where the link id is the link's title in
//     lower case with every run of other characters than letters and digits written "-" (as
//     Threagile derives it). Attributes: protocol (see protocols), tls (the protocol is
//     encrypted; unset for process-local protocols), authenticated (authentication is not
//     none), authorization, vpn, ip_filtered, readonly, usage, data (data_assets_sent),
//     data_received (data_assets_received) and classification (the most sensitive data asset
//     sent or received: a link carries both).
//
// Data assets are not elements: they classify what stores and carries them. A data asset's
// classification is its confidentiality mapped onto the model's levels — public → public,
// internal → internal, restricted → confidential, confidential → confidential,
// strictly-confidential → secret — raised to pii or pci when the asset is tagged so and that
// is at least as sensitive.
//
// Problems are reported on their line: YAML that does not parse (the rest of the file is still
// read), keys that are not the schema's in the objects the schema describes (the model, a data
// asset, a technical asset, a communication link, a trust boundary, a shared runtime; the
// free-form maps questions, abuse_cases and security_requirements and the report sections are
// not checked), values out of the schema's enums for the fields read, references to unknown
// technical assets, data assets or trust boundaries (a link to an unknown asset is dropped),
// duplicate ids, an asset inside two boundaries, a nesting cycle, and includes, which are not
// followed.
package threagile

import (
	"fmt"
	"path"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "threagile"

// Analyzer reads Threagile models. It holds no state and is safe for concurrent use.
type Analyzer struct{}

// New returns the Threagile analyzer.
func New() analyzers.Analyzer { return Analyzer{} }

var _ analyzers.Analyzer = Analyzer{}

// Name returns "threagile".
func (Analyzer) Name() string { return Name }

// Lang returns parse.Plain: files are decoded by analyzers/yamlnode.
func (Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is a .yaml or .yml file whose base name contains "threagile". The
// language identifier is not used: editors have none for Threagile.
func (Analyzer) Match(p, _ string) bool {
	base := strings.ToLower(path.Base(p))
	return strings.Contains(base, "threagile") && (strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"))
}

// Extract reads one Threagile model. Every element is built here: a model stands alone.
func (Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	if t == nil {
		return &model.FileFacts{File: file, Format: Name}
	}
	return extract(t.Src, file)
}

// Scope returns p: each file links alone.
func (Analyzer) Scope(p string) string { return p }

// Link returns the elements of every Threagile file, unchanged: nothing crosses files.
func (Analyzer) Link(files []*model.FileFacts) []*model.Element {
	return analyzers.FileElements(files, Name)
}

// Fix returns an error wrapping analyzers.ErrNoFix: a documented model is compared with the
// system, not fixed.
func (Analyzer) Fix(_ []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	return nil, fmt.Errorf("threagile %s: %s: %w: a Threagile model is documentation; fix the system it describes", el.Name, op.Op, analyzers.ErrNoFix)
}

// Comment returns a YAML line comment holding text.
func (Analyzer) Comment(text string) string { return "# " + text }
