// Package appconfig reads the configuration files an application ships with — Spring's
// application.properties and application.yml, .NET's appsettings.json — for what they say of
// the service's peers: each property that holds an address becomes a flow, and every
// property is recorded (model.EnvAttr) so that the code reading it (@Value("${orders.url}"),
// Configuration["Orders:Url"]) resolves to where it points, or to the environment variable
// it is read from in turn (${ORDERS_URL}). The files of one service are one component, which
// fuses with the service's code by its directory.
package appconfig

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// Name is the format's name.
const Name = "appconfig"

// Analyzer reads application configuration files.
type Analyzer struct{}

// New returns the analyzer.
func New() analyzers.Analyzer { return &Analyzer{} }

// Name is the format's name.
func (*Analyzer) Name() string { return Name }

// Lang: the files are read by yaml.v3 and a small properties reader of our own.
func (*Analyzer) Lang() parse.Lang { return parse.Plain }

var (
	springFile  = regexp.MustCompile(`^(application|bootstrap)(-[A-Za-z0-9_.-]+)?\.(properties|ya?ml)$`)
	dotnetFile  = regexp.MustCompile(`^appsettings(\.[A-Za-z0-9_.-]+)?\.json$`)
	placeholder = regexp.MustCompile(`^\$\{([A-Za-z0-9_.\-]+)(?::(.*))?\}$`)
)

// Match reads Spring's and .NET's configuration files.
func (*Analyzer) Match(p, _ string) bool {
	b := path.Base(p)
	return springFile.MatchString(b) || dotnetFile.MatchString(b)
}

// property is one configuration value: its flattened key (orders.url for Spring,
// ConnectionStrings:Orders for .NET), its value as written, and where.
type property struct {
	key, value string
	span       model.Span
}

// raw is what Extract reads: the file's properties, and the service it configures.
type raw struct {
	root  string // the service's directory
	props []property
	kind  string // spring, dotnet
	name  string // spring.application.name, when set
	head  model.Span
}

// Extract reads one configuration file.
func (*Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	r := &raw{root: root(file), kind: "spring"}
	switch ext := path.Ext(file); {
	case ext == ".properties":
		r.props = properties(t.Src, file)
	default:
		if ext == ".json" {
			r.kind = "dotnet"
		}
		src := t.Src
		if ext == ".json" {
			src = stripJSONComments(src) // .NET's configuration reader allows // and /* */
		}
		docs, problems := yamlnode.Parse(src, file)
		ff.Problems = problems
		sep := "."
		if r.kind == "dotnet" {
			sep = ":"
		}
		for _, d := range docs {
			flatten(d.Root, "", sep, &r.props, 0)
		}
	}
	for _, p := range r.props {
		if p.key == "spring.application.name" {
			r.name = p.value
		}
	}
	r.head = model.Span{File: file}
	if len(r.props) > 0 {
		r.head = r.props[0].span
	}
	ff.Raw = r
	var defs []model.Span
	for _, p := range r.props {
		defs = append(defs, p.span)
	}
	marker := "#"
	if r.kind == "dotnet" {
		marker = "//"
	}
	igs, ps := analyzers.LineIgnores(t.Src, file, []string{marker}, defs)
	ff.Ignores, ff.Problems = igs, append(ff.Problems, ps...)
	return ff
}

// stripJSONComments blanks the comments of a JSON text (// to the end of the line, /* … */),
// keeping every byte offset and line: only comment characters become spaces.
func stripJSONComments(src []byte) []byte {
	out := append([]byte(nil), src...)
	inStr, esc := false, false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			for ; i < len(out) && !(out[i] == '*' && i+1 < len(out) && out[i+1] == '/'); i++ {
				if out[i] != '\n' {
					out[i] = ' '
				}
			}
			if i+1 < len(out) {
				out[i], out[i+1] = ' ', ' '
				i++
			}
		}
	}
	return out
}

// root is the directory of the service a configuration file configures: the project of a
// Maven or Gradle layout (src/main/resources cut off), else the file's directory.
func root(file string) string {
	dir := path.Dir(file)
	if i := strings.Index("/"+dir+"/", "/src/main/resources/"); i >= 0 {
		dir = ("/" + dir)[:i]
		dir = strings.TrimPrefix(dir, "/")
	}
	if dir == "" {
		return "."
	}
	return dir
}

// properties reads a .properties file: key=value, key: value or key value; # and ! comments;
// a line ending in a backslash continues.
func properties(src []byte, file string) []property {
	var out []property
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	off, line := 0, 0
	var pending strings.Builder
	pendingStart, pendingLine := 0, 0
	for sc.Scan() {
		text := sc.Text()
		start := off
		off += len(text) + 1
		ln := line
		line++
		if pending.Len() == 0 {
			t := strings.TrimSpace(text)
			if t == "" || t[0] == '#' || t[0] == '!' {
				continue
			}
			pendingStart, pendingLine = start, ln
		}
		if strings.HasSuffix(text, "\\") {
			pending.WriteString(strings.TrimLeft(strings.TrimSuffix(text, "\\"), " \t"))
			continue
		}
		pending.WriteString(strings.TrimLeft(text, " \t"))
		entry := pending.String()
		pending.Reset()
		i := strings.IndexAny(entry, "=: \t")
		if i <= 0 {
			continue
		}
		key := strings.TrimSpace(entry[:i])
		value := strings.TrimSpace(strings.TrimLeft(entry[i:], "=: \t"))
		end := start + len(text)
		out = append(out, property{key: key, value: value, span: model.Span{File: file,
			Start: model.At(pendingStart, pendingLine, 0),
			End:   model.At(end, ln, len(text))}})
	}
	return out
}

// maxDepth bounds the flattening of nested maps.
const maxDepth = 32

// flatten turns a YAML or JSON tree into dotted (or colon-separated) keys.
func flatten(n *yamlnode.Node, prefix, sep string, out *[]property, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch n.Kind {
	case yamlnode.Map:
		for _, p := range n.Entries() {
			k := p.Key.Value
			if prefix != "" {
				k = prefix + sep + k
			}
			if p.Value != nil && p.Value.Kind == yamlnode.Scalar {
				*out = append(*out, property{key: k, value: p.Value.Value, span: p.Span()})
				continue
			}
			flatten(p.Value, k, sep, out, depth+1)
		}
	case yamlnode.Seq:
		for i, it := range n.Items {
			k := fmt.Sprintf("%s[%d]", prefix, i)
			if it.Kind == yamlnode.Scalar {
				*out = append(*out, property{key: k, value: it.Value, span: it.Span})
				continue
			}
			flatten(it, k, sep, out, depth+1)
		}
	}
}

// Link makes one component per service directory, with every file's properties (a profile's
// file after the base file, which it does not override here: which profile runs is the
// deployment's to say) and a flow per property that holds an address.
func (a *Analyzer) Link(files []*model.FileFacts) []*model.Element {
	byRoot := map[string][]*model.FileFacts{}
	var roots []string
	for _, f := range files {
		if f == nil || f.Format != Name {
			continue
		}
		r, ok := f.RawFacts().(*raw)
		if !ok {
			continue
		}
		if byRoot[r.root] == nil {
			roots = append(roots, r.root)
		}
		byRoot[r.root] = append(byRoot[r.root], f)
	}
	sort.Strings(roots)
	var out []*model.Element
	actors := map[string]*model.Element{}
	for _, root := range roots {
		fs := byRoot[root]
		sort.Slice(fs, func(i, j int) bool { return rank(fs[i].File) < rank(fs[j].File) })
		out = append(out, service(root, fs, actors)...)
	}
	var ids []string
	for id := range actors {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		out = append(out, actors[id])
	}
	return out
}

// rank orders a service's files: the base file first, then profiles, by name.
func rank(file string) string {
	b := path.Base(file)
	if strings.Count(b, ".") == 1 && !strings.Contains(b, "-") {
		return "0" + file
	}
	return "1" + file
}

// service makes the component of one service's configuration and its flows.
func service(root string, fs []*model.FileFacts, actors map[string]*model.Element) []*model.Element {
	first := fs[0].RawFacts().(*raw)
	name := path.Base(root)
	if root == "." {
		name = "app"
	}
	for _, f := range fs {
		if n := f.RawFacts().(*raw).name; n != "" && !strings.Contains(n, "$") {
			name = n
			break
		}
	}
	typ := "spring_config"
	if first.kind == "dotnet" {
		typ = "appsettings"
	}
	id := Name + ":" + root
	el := &model.Element{ID: id, Kind: model.Component, Type: typ, Name: name, Span: first.head, Head: first.head}
	el.Aliases = append(el.Aliases, model.BuildAlias(root))
	if al := model.NameAlias(name); al != "" {
		el.Aliases = append(el.Aliases, al)
	}
	env := map[string]any{}
	var envAt model.Span
	var out []*model.Element
	seen := map[string]bool{}
	for _, f := range fs {
		for _, p := range f.RawFacts().(*raw).props {
			if seen[p.key] {
				continue
			}
			v := strings.TrimSpace(p.value)
			if m := placeholder.FindStringSubmatch(v); m != nil {
				fallback := ""
				if m[2] != "" {
					fallback, _ = endpoint(p.key, m[2])
				}
				seen[p.key] = true
				env[p.key] = model.EnvRef(m[1], fallback)
				if envAt.IsZero() {
					envAt = p.span
				}
				continue
			}
			to, ep := endpoint(p.key, v)
			if to == "" {
				continue
			}
			seen[p.key] = true
			env[p.key] = to
			if envAt.IsZero() {
				envAt = p.span
			}
			out = append(out, flow(el, p, to, ep))
			if strings.HasPrefix(to, "actor:") && actors[to] == nil {
				actors[to] = actor(ep.Host, p.span)
			}
		}
	}
	if len(env) > 0 {
		el.Set(model.EnvAttr, env, envAt)
	}
	return append([]*model.Element{el}, out...)
}

// endpoint returns the flow endpoint a property's value names, as a Compose file's would.
func endpoint(key, value string) (string, *container.Endpoint) {
	last := key
	if i := strings.LastIndexAny(key, ".:"); i >= 0 {
		last = key[i+1:]
	}
	last = strings.ToUpper(strings.NewReplacer("-", "_", "[", "_", "]", "").Replace(last))
	if strings.HasPrefix(strings.ToLower(key), "connectionstrings:") || strings.Contains(strings.ToLower(key), "redis") {
		last = "DSN" // a connection string, whatever its name
	}
	ep, ok := container.Parse(last, value)
	if !ok || container.Local(ep.Host) {
		return "", nil
	}
	h := ep.Host
	if _, err := netip.ParseAddr(h); err == nil {
		return "actor:" + h, &ep
	}
	for _, suf := range []string{".svc.cluster.local", ".cluster.local", ".svc"} {
		if strings.HasSuffix(h, suf) {
			first, _, _ := strings.Cut(h, ".")
			return model.Ref(model.NameAlias(first)), &ep
		}
	}
	if strings.Contains(h, ".") {
		return "actor:" + h, &ep
	}
	return model.Ref(model.NameAlias(h)), &ep
}

// flow makes the flow a property's address gives the service.
func flow(el *model.Element, p property, to string, ep *container.Endpoint) *model.Element {
	fl := &model.Element{ID: el.ID + "/property/" + p.key, Kind: model.Flow, Type: "property",
		Name: fmt.Sprintf("%s → %s (%s)", el.Name, ep.Host, p.key), Span: p.span, Head: p.span, From: el.ID, To: to}
	fl.Set(model.ConfigAttr, p.key, p.span)
	scheme := ep.Scheme
	if pr := container.Protocol(scheme); strings.Contains(pr, "+") {
		scheme, _, _ = strings.Cut(scheme, "+")
	}
	if scheme != "" {
		fl.Set("protocol", container.Protocol(scheme), p.span)
	} else if pr := container.PortProtocol(ep.Port); pr != "" {
		fl.SetNote("protocol", pr, p.span, fmt.Sprintf("the well-known protocol of port %d", ep.Port))
	}
	port := ep.Port
	if port == 0 {
		port = container.DefaultPort(scheme)
	}
	if port > 0 {
		fl.Set("port", port, p.span)
	}
	switch {
	case ep.TLS != container.TLSUnsaid:
		fl.SetNote("tls", ep.TLS == container.TLSOn, p.span, ep.TLSNote)
	case scheme == "https":
		fl.SetNote("tls", true, p.span, "https:// is encrypted")
	case scheme != "":
		fl.Default("tls", false, scheme+":// asks for no TLS")
	}
	if ep.Password != "" {
		fl.SetNote("authenticated", true, p.span, p.key+" carries credentials")
	}
	return fl
}

// actor makes the external actor of a host outside the system.
func actor(host string, at model.Span) *model.Element {
	a := &model.Element{ID: "actor:" + host, Kind: model.Actor, Type: "external", Name: host, Span: at, Head: at}
	if al := model.NameAlias(host); al != "" {
		a.Aliases = []string{al}
	}
	a.Set("in_scope", false, at)
	a.Set("zone", model.InternetZone, at)
	return a
}

// Fix has no mechanical fixes.
func (*Analyzer) Fix(src []byte, el *model.Element, op model.FixOp) ([]model.TextEdit, error) {
	return nil, fmt.Errorf("%s: no mechanical fix for %s %s", Name, op.Op, op.Path)
}

// Comment returns a line comment.
func (*Analyzer) Comment(text string) string { return "# " + text }
