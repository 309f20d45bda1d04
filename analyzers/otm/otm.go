// Package otm reads Open Threat Model 0.2 documents (YAML or JSON) into the system model as
// documented elements: what the document declares is compared with what the code and the
// infrastructure say, never taken over them.
//
// Files: *.otm, *.otm.yaml, *.otm.yml, *.otm.json, and files named otm.yaml, otm.yml or
// otm.json, in any case. JSON is read as the YAML it is. Editors have no language ID for OTM,
// so a document without a path is never read as one.
//
// Elements, all with Provenance documented and attributes of origin declared, ID
// "otm:<file>/<id>", aliases the id and the name:
//
//   - components become components, or stores when their type names one (it contains
//     database, storage, bucket, cache or queue, or the word db), or what a tag component,
//     store or actor says they are (as threatls's own OTM output tags them); Type
//     "otm_<type>" in snake case ("otm_component" without a type). Attributes: zone (the
//     parent trust zone, or the zone of the parent component, followed up the chain),
//     category (stores: database, cache, queue or bucket, from the type), technology (the
//     first tag naming a known technology: postgres, mysql, redis, …), data (the ids of
//     assets.stored), classification (the most sensitive asset stored), and from the
//     attributes map the keys technology, owner, in_scope, internet_facing, authenticates,
//     authorizes, encrypted_at_rest and public. A parent component becomes the element's
//     Parent.
//   - trustZones become zones, Type "otm_<type>" ("otm_trust_zone" without a type). trust
//     comes from risk.trustRating: 0–25 internet, 26–50 dmz, 51–75 internal, 76–100
//     restricted. A parent trust zone becomes the parent attribute.
//   - dataflows become flows from source to destination (components or trust zones), Type
//     "otm_dataflow"; a bidirectional one becomes two, the second with ID
//     "otm:<file>/<id>/reverse". Attributes: data (the ids of assets), classification (the
//     most sensitive of them), and protocol, port, tls and authenticated where the dataflow
//     says so — from its tags (a protocol name such as https or grpc; tls, ssl or encrypted;
//     plaintext or unencrypted; mtls; authenticated; unauthenticated or anonymous) and from
//     its attributes map (keys protocol, port, tls, authenticated), the attributes winning. A
//     protocol implies tls when nothing else says (https yes, http no, grpc either).
//
// Assets are not elements: they classify what stores and carries them. An asset's
// risk.confidentiality is read as the nearest of the model's classifications spread over
// 0–100 by rank: public 0, internal 25, confidential 50, pii 75, secret 100 (the scale
// threatls's OTM output writes). Threats, mitigations, representations and the project are
// not read.
//
// Problems are reported on their line: YAML or JSON that does not parse (the rest of the
// file is still read), keys that are not the schema's in the objects read (the document, the
// project, a component, a trust zone, a dataflow — representations allowed, as the
// specification's own example writes them —, an asset, a risk, a parent, a component's
// assets), numbers out of range, missing or duplicate ids, references to unknown components,
// trust zones or assets (a dataflow with an unknown end is dropped), and parent cycles.
package otm

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "otm"

// Analyzer reads OTM documents. It holds no state and is safe for concurrent use.
type Analyzer struct{}

// New returns the OTM analyzer.
func New() analyzers.Analyzer { return Analyzer{} }

var _ analyzers.Analyzer = Analyzer{}

// Name returns "otm".
func (Analyzer) Name() string { return Name }

// Lang returns parse.Plain: files are decoded by analyzers/yamlnode.
func (Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is an OTM document by its name: a .otm file, or a YAML or JSON file
// whose base name has "otm" as a word of its own (otm.yaml, shop.otm.json, otm-model.yaml).
// The language identifier is not used: editors have none for OTM.
func (Analyzer) Match(p, _ string) bool {
	base := strings.ToLower(path.Base(p))
	if strings.HasSuffix(base, ".otm") {
		return true
	}
	stem := ""
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		if s, ok := strings.CutSuffix(base, ext); ok {
			stem = s
		}
	}
	return otmWord.MatchString(stem)
}

// otmWord finds "otm" as a word of a file's stem.
var otmWord = regexp.MustCompile(`(^|[._-])otm([._-]|$)`)

// Extract reads one OTM document. Every element is built here: a document stands alone.
func (Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	if t == nil {
		return &model.FileFacts{File: file, Format: Name}
	}
	return extract(t.Src, file)
}

// Scope returns p: each file links alone.
func (Analyzer) Scope(p string) string { return p }

// Link returns the elements of every OTM file, unchanged: nothing crosses files.
func (Analyzer) Link(files []*model.FileFacts) []*model.Element {
	return analyzers.FileElements(files, Name)
}

// Fix returns an error wrapping analyzers.ErrNoFix: a documented model is compared with the
// system, not fixed.
func (Analyzer) Fix(_ []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	return nil, fmt.Errorf("otm %s: %s: %w: an OTM document is documentation; fix the system it describes", el.Name, op.Op, analyzers.ErrNoFix)
}

// Comment returns a YAML line comment holding text. JSON has no comments: a suppression
// cannot be written in an .otm.json file.
func (Analyzer) Comment(text string) string { return "# " + text }
