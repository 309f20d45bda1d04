package model

import (
	"path"
	"strings"
)

// NameAlias is the alias of a service, workload, node or store called name in any format:
// "name:" and the name in lower case with everything but letters and digits removed, so that
// "Orders API", "orders-api" and "orders_api" meet.
func NameAlias(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "name:" + b.String()
}

// ImageAlias is the alias of a container image reference, without registry host, tag or
// digest: "image:shop/api" for "registry.example.com:5000/shop/api:1.2@sha256:…".
func ImageAlias(ref string) string {
	ref = strings.TrimSpace(ref)
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	if parts := strings.SplitN(ref, "/", 2); len(parts) == 2 && strings.ContainsAny(parts[0], ".:") || len(parts) == 2 && parts[0] == "localhost" {
		ref = parts[1]
	}
	ref = strings.TrimPrefix(ref, "library/")
	if ref == "" {
		return ""
	}
	return "image:" + strings.ToLower(ref)
}

// BuildAlias is the alias of what a Dockerfile in dir builds (dir slash-separated, relative to
// the workspace root): a compose service with `build: ./api` and the Dockerfile api/Dockerfile
// both carry "build:api".
func BuildAlias(dir string) string {
	dir = path.Clean(strings.TrimPrefix(dir, "./"))
	return "build:" + dir
}

// Ref is a flow endpoint that names an alias instead of an element ID: a manifest's
// DATABASE_URL names a host "db" that another file defines. Build resolves it to the element
// that has the alias; an unresolved reference leaves the flow out with a problem.
func Ref(alias string) string { return "ref:" + alias }

// RefAlias returns the alias a flow endpoint refers to, if it is a Ref.
func RefAlias(id string) (string, bool) { return strings.CutPrefix(id, "ref:") }

// Classification levels of data, from the least to the most sensitive.
var Classifications = []string{"public", "internal", "confidential", "pii", "pci", "secret"}

// ClassRank orders classifications: public 0, internal 1, confidential 2, pii 3, pci and
// secret 4; -1 for anything else.
func ClassRank(c string) int {
	switch c {
	case "public":
		return 0
	case "internal":
		return 1
	case "confidential":
		return 2
	case "pii":
		return 3
	case "pci", "secret":
		return 4
	}
	return -1
}

// Trust levels of zones, from the least trusted.
var TrustLevels = []string{"internet", "dmz", "internal", "restricted"}

// Internet is the ID of the one actor standing for the internet, and InternetZone of its zone.
const (
	Internet     = "actor:internet"
	InternetZone = "zone:internet"
)

// InternetActor returns the actor standing for the internet, defined at at: the element every
// analyzer that sees a flow from the internet contributes (Build keeps one).
func InternetActor(at Span) *Element {
	el := &Element{ID: Internet, Kind: Actor, Type: "internet", Name: "internet", Span: at, Head: at}
	el.Set("technology", "internet", at)
	el.Set("in_scope", false, at)
	el.Set("zone", InternetZone, at)
	return el
}
