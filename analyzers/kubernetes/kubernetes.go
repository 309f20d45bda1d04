// Package kubernetes reads Kubernetes manifests into the model: workloads (Deployments,
// StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods) become components, or stores
// when their image is a well-known data store; namespaces become zones; Services fold into
// the workloads they select; LoadBalancer and NodePort Services and Ingresses become flows
// from the internet; NetworkPolicies become controls that segment their namespace and block
// the flows they do not admit; and the endpoints named by containers' environment variables
// (DATABASE_URL=postgres://db:5432/shop) become flows to other workloads or external actors.
//
// Extract decodes a file's documents (one at a time, with their byte spans) into objects,
// and builds the file's elements as if it were alone. Link builds the model of every file
// together — Services, Ingresses, ConfigMaps and NetworkPolicies act across files — and
// returns Extract's very element wherever the other files change nothing about it, so that
// an edit re-evaluates only what it can change.
//
// What is not read: Helm templates (a document with {{ … }} actions that does not parse is
// reported, not rendered), kustomize overlays, CRDs (Argo Rollouts, Knative Services),
// egress rules and ports of NetworkPolicies, and flows between namespaces for blocking.
package kubernetes

import (
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "kubernetes"

// Analyzer reads Kubernetes manifests. The zero value is ready to use and safe for
// concurrent use.
type Analyzer struct {
	mu sync.Mutex
	// last holds, by ID, the elements Link returned that no single file's Extract produced
	// (built across files), so that an unchanged one keeps its pointer from one Link to the
	// next. Entries are replaced, never evicted: a Link of some files only (a fix re-reads
	// one file) must not cost the others their pointers.
	last map[string]*model.Element
}

// New returns the Kubernetes analyzer.
func New() analyzers.Analyzer { return &Analyzer{} }

var _ analyzers.Analyzer = (*Analyzer)(nil)

// Name returns "kubernetes".
func (*Analyzer) Name() string { return Name }

// Lang returns parse.Plain: documents are decoded by yamlnode, one at a time.
func (*Analyzer) Lang() parse.Lang { return parse.Plain }

// Match reports whether p is a YAML file that may hold Kubernetes manifests: a .yaml or
// .yml file that is not a Compose file, not threatls.yaml and not under .github/. For a
// document without a path, the editor's language must be YAML. Whether the text is a
// manifest is decided at Extract: YAML without apiVersion and kind yields nothing.
func (*Analyzer) Match(p, languageID string) bool {
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	if ext != ".yaml" && ext != ".yml" {
		return (p == "" || model.IsURI(p)) && languageID == "yaml"
	}
	stem := strings.TrimSuffix(base, ext)
	switch {
	case stem == "compose" || strings.HasPrefix(stem, "compose.") || strings.HasPrefix(stem, "docker-compose"):
		return false
	case stem == "threatls":
		return false
	case strings.HasPrefix(p, ".github/") || strings.Contains(p, "/.github/"):
		return false
	}
	return true
}

// Comment returns a YAML line comment holding text.
func (*Analyzer) Comment(text string) string { return "# " + text }

// Link builds the model of every file's objects together. An element equal to the one a
// file's Extract built (the other files change nothing about it) is returned as that very
// pointer; one built across files keeps the pointer of the previous Link while it does not
// change. Link does not modify its input.
func (a *Analyzer) Link(files []*model.FileFacts) []*model.Element {
	files = append([]*model.FileFacts(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].File < files[j].File })
	var objs []*object
	local := map[string]*model.Element{}
	for _, f := range files {
		if f == nil || f.Format != Name {
			continue
		}
		r, ok := f.Raw.(*raw)
		if !ok {
			continue
		}
		objs = append(objs, r.objects...)
		for _, e := range f.Elements {
			local[e.ID] = e
		}
	}
	m := build(objs)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == nil {
		a.last = map[string]*model.Element{}
	}
	out := make([]*model.Element, len(m.elements))
	for i, e := range m.elements {
		switch {
		case local[e.ID] != nil && reflect.DeepEqual(local[e.ID], e):
			e = local[e.ID]
		case a.last[e.ID] != nil && reflect.DeepEqual(a.last[e.ID], e):
			e = a.last[e.ID]
		default:
			a.last[e.ID] = e
		}
		out[i] = e
	}
	return out
}
