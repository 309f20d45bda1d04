package model

import (
	"strings"
)

// EnvRef is a flow endpoint that names a configuration value the flow's source reads for
// its address — an environment variable (ORDERS_SERVICE_ADDR), a Spring property
// (orders.url), an appsettings key (ConnectionStrings:Orders) — instead of the address
// itself: application code reads its peers' addresses from configuration that the files
// deploying it set. fallback is the endpoint the code itself falls back to when the value
// is not set (an element ID, a Ref or an external actor's ID), or "".
//
// Update resolves the endpoint through the `env` attribute of the elements fused with the
// flow's source (see EnvAttr), then the fallback, then a naming convention (a variable
// INVENTORY_API_URL names the element called inventory-api: the flow is then `tentative`),
// and otherwise to an element of its own: a store of the flow's protocol when it is a
// database's, cache's or queue's, else an unresolved actor named after the variable.
func EnvRef(name, fallback string) string {
	if fallback == "" {
		return "env:" + name
	}
	return "env:" + name + "=" + fallback
}

// EnvRefName returns the configuration name and the fallback of an EnvRef endpoint.
func EnvRefName(id string) (name, fallback string, ok bool) {
	rest, ok := strings.CutPrefix(id, "env:")
	if !ok {
		return "", "", false
	}
	name, fallback, _ = strings.Cut(rest, "=")
	return name, fallback, true
}

// EnvAttr is the attribute in which the analyzers of deployment files (Compose, Spring
// properties, appsettings.json) record the configuration they give the code they run: a
// map from the variable's or property's name to the endpoint its value names (an element
// ID, a Ref, an external actor's ID, or an EnvRef when the value is itself read from
// another variable). Values that name no endpoint are left out: the attribute never holds a
// value as written, which may be a secret.
const EnvAttr = "env"

// ConfigAttr, on a flow, names the configuration value its address comes from: on a flow a
// deployment file draws for a variable (a manifest's DATABASE_URL), it says that the code
// of the flow's source reading that variable goes where the flow goes — the other way for
// an analyzer to record what EnvAttr records, when the variable's value depends on other
// files (a ConfigMap) and the workload's own element must not.
const ConfigAttr = "config"

// maxEnvDepth bounds the chain of values read from other variables
// (orders.url=${ORDERS_URL}).
const maxEnvDepth = 4

// envFlow returns f with its EnvRef end resolved to an endpoint that resolveEnd understands
// (and the actor or store it derives for a variable nothing sets), or f itself when it has
// none. prev is f's resolution of the last update: its resolved flow is kept when the same.
func (u *update) envFlow(f *Element, prev *resolution, rd *reads) (*Element, string, *derivation) {
	name, fallback, ok := EnvRefName(f.To)
	if !ok {
		return f, "", nil
	}
	dir := dirOf(f.Span.File)
	from, _ := u.resolveEnd(f.From, dir, rd)
	to, via, setAt := u.envValue(from, name, 0, rd)
	var rel []Related
	var tentative *Attr
	var d *derivation
	switch {
	case to != "":
		rel = append(rel, Related{Span: setAt, Message: name + " is set by " + via.Name})
	case fallback != "":
		to = fallback
	default:
		to, tentative, d = u.envByName(f, from, name, dir, rd)
	}
	key := to + "|" + placeKey(setAt)
	if tentative != nil {
		key += "|tentative:" + tentative.Note
	}
	if prev != nil && prev.base != f && prev.envKey == key {
		return prev.base, key, d
	}
	c := f.clone()
	c.To = to
	c.Related = append(append([]Related(nil), f.Related...), rel...)
	if tentative != nil {
		c.Attrs.Set("tentative", *tentative)
	}
	return c, key, d
}

// envValue looks name up in the env attribute of the members of the fused element from (a
// manifest before a compose file before a properties file, as they rank), under its own
// name and the forms Spring and .NET map environment variables to: orders.url is also
// ORDERS_URL; ConnectionStrings:Orders is also ConnectionStrings__Orders.
func (u *update) envValue(from, name string, depth int, rd *reads) (to string, via *Element, at Span) {
	if depth > maxEnvDepth {
		return "", nil, Span{}
	}
	rd.add(idKey(from))
	rd.add(posKey(from)) // the span of its value is a related place of the flow
	var members []*Element
	if g := u.b.f.byNode[from]; g != nil {
		members = g.members
	}
	// A member before a candidate name: what runs the code (a manifest's
	// SPRING_DATASOURCE_URL) overrides what the code ships with (spring.datasource.url in
	// application.properties).
	for _, m := range members {
		for _, cand := range envNames(name) {
			if fl := u.configFlow(m.ID, cand, rd); fl != nil {
				if id, ok := u.resolveEnd(fl.To, dirOf(fl.Span.File), rd); ok || u.exists(id, rd) {
					return id, m, fl.Attrs.At(ConfigAttr).Span
				}
				return fl.To, m, fl.Attrs.At(ConfigAttr).Span
			}
			a, ok := m.Attrs.Get(EnvAttr)
			if !ok {
				continue
			}
			env, _ := a.Value.(map[string]any)
			v, _ := env[cand].(string)
			if v == "" {
				continue
			}
			if next, _, ok := EnvRefName(v); ok {
				if to, via, at := u.envValue(from, next, depth+1, rd); to != "" {
					return to, via, at
				}
				continue
			}
			if id, ok := u.resolveEnd(v, dirOf(m.Span.File), rd); ok || u.exists(id, rd) {
				return id, m, a.Span
			}
			return v, m, a.Span // a reference nothing defines: flows.go makes its actor
		}
	}
	return "", nil, Span{}
}

// configFlow returns the input flow out of the element from that a deployment file draws for
// the variable name (its ConfigAttr), or nil. Code flows carry the attribute too but point
// at an EnvRef: they are not such flows.
func (u *update) configFlow(from, name string, rd *reads) *Element {
	k := configKey(from, name)
	rd.add(k)
	return first(u.b.r.configs[k])
}

// configKey is the key of the flows out of from drawn for the variable name.
func configKey(from, name string) key { return key{k: 'c', a: from, b: name} }

// configOf returns the key under which f is indexed as a deployment's flow for a variable,
// and whether it is one.
func configOf(f *Element) (key, bool) {
	c, _ := f.Attrs.At(ConfigAttr).Value.(string)
	if _, _, isEnv := EnvRefName(f.To); c == "" || isEnv {
		return key{}, false
	}
	return configKey(f.From, c), true
}

// envNames returns the names a configuration value may be set under.
func envNames(name string) []string {
	out := []string{name}
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	if strings.ContainsAny(name, ".-") || strings.ToUpper(name) != name && !strings.Contains(name, ":") {
		add(strings.ToUpper(strings.NewReplacer(".", "_", "-", "").Replace(name)))
	}
	if strings.Contains(name, ":") {
		add(strings.ReplaceAll(name, ":", "__"))
	}
	return out
}

// envAddressSuffixes end the names of variables that hold an address; what precedes names
// the service (ORDERS_SERVICE_ADDR → orders-service, orders).
var envAddressSuffixes = []string{"_BOOTSTRAP_SERVERS", "_CONNECTION_STRING", "_HOSTNAME", "_ADDRESS", "_ENDPOINT",
	"_BASE_URL", "_SERVERS", "_BROKERS", "_TARGET", "_SERVER", "_BROKER", "_HOST", "_ADDR", "_URL", "_URI", "_DSN"}

// serviceGuesses returns the names a variable's name suggests, the most specific first:
// INVENTORY_API_URL → INVENTORY_API, INVENTORY; orders.url → ORDERS.
func serviceGuesses(name string) []string {
	n := strings.ToUpper(strings.NewReplacer(".", "_", "-", "_", ":", "_").Replace(name))
	for _, suf := range envAddressSuffixes {
		if p, ok := strings.CutSuffix(n, suf); ok && p != "" {
			n = p
			break
		}
	}
	out := []string{n}
	for _, suf := range []string{"_SERVICE", "_API", "_SVC", "_GRPC", "_HTTP", "_DB", "_DATABASE"} {
		if p, ok := strings.CutSuffix(n, suf); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}

// storeProtocols are the protocols of databases, caches and queues: a flow of one whose
// target is unknown goes to a store of its own.
var storeProtocols = map[string]string{"postgres": "database", "mysql": "database", "mongodb": "database",
	"sqlserver": "database", "oracle": "database", "cassandra": "database", "sqlite": "database",
	"redis": "cache", "memcached": "cache", "amqp": "queue", "kafka": "queue", "nats": "queue",
	"elasticsearch": "search"}

// envByName resolves a variable no deployment file sets: to the element named like it
// (tentative), else to an element standing for what it names, derived for the flow.
func (u *update) envByName(f *Element, from, name, dir string, rd *reads) (string, *Attr, *derivation) {
	for _, g := range serviceGuesses(name) {
		e := u.byAliasIn(NameAlias(g), dir, rd, "node")
		if e != nil && e.ID != from && e.Kind != Actor {
			return e.ID, &Attr{Value: true, Origin: Defaulted, Span: f.Head,
				Note: "no deployment file sets " + name + ": the target is " + e.Name + ", by its name"}, nil
		}
	}
	guess := strings.ToLower(strings.ReplaceAll(serviceGuesses(name)[0], "_", "-"))
	proto, _ := f.Attrs.At("protocol").Value.(string)
	category, isStore := storeProtocols[proto]
	if !isStore {
		// A service named but not defined here, as flows.go makes for references, under the
		// name the variable gives it.
		id := "actor:" + guess
		return id, nil, &derivation{id: id, kind: Actor, name: guess, alias: NameAlias(guess),
			note: "named by " + name + ", which nothing in the workspace sets"}
	}
	id := f.From + "/env/" + name
	return id, nil, &derivation{id: id, kind: Store, name: guess + " (" + name + ")", proto: proto, category: category}
}
