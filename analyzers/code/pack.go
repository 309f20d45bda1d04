package code

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/analyzers/parse"
)

// The knowledge of every language: packs/<language>/lang.yaml says how the language is
// written (its grammars, file extensions, how imports bind names, which node kinds hold
// strings, calls, members…), base.scm selects the nodes the engine reads, and every other
// packs/<language>/*.yaml is a list of packs — one per framework or library — of rows keyed
// by qualified name, with optional extra query patterns. See docs/code.md.
//
//go:embed packs
var packsFS embed.FS

// Language is a language's lang.yaml: everything the engine needs to read it, as data.
type Language struct {
	// Name is the directory of its packs: go, python, javascript, java, csharp.
	Name string `yaml:"name"`
	// Technology is what a service written in it runs on: go, python, node, java, dotnet.
	Technology string `yaml:"technology"`
	// Grammars are the analyzers made for the language: one per tree-sitter grammar, each
	// with the file extensions it reads (JavaScript, TypeScript and TSX share packs).
	Grammars []Grammar `yaml:"grammars"`
	// Comment is the line comment marker (threatls:ignore comments, `want` expectations).
	Comment string `yaml:"comment"`
	// Imports says how an import binds a local name when it names none: "last" (the last
	// segment of the module path: Go packages, Java classes), "first" (Python's `import a.b`
	// binds a), "module" (the local is given, or the import is a wildcard).
	Imports string `yaml:"imports"`
	// PackageNames are the names Go import paths bind when their last element does not
	// say it (github.com/anthropics/anthropic-sdk-go binds anthropic).
	PackageNames map[string]string `yaml:"package_names"`
	// Implicit are modules whose names are in scope without an import (C#'s implicit usings,
	// java.lang): searched like wildcard imports.
	Implicit []string `yaml:"implicit"`
	// Tests match the paths of test files, which are not read (regular expressions on the
	// slash-separated path).
	Tests []string `yaml:"tests"`
	// Roots are regular expressions whose first match in a source directory is cut off to
	// find the service's root: `/src/main/java/.*$` in a Maven layout.
	Roots []string `yaml:"roots"`
	// SplitRoots makes programs of one root that the roots rules cut off services of their
	// own: a Go module's cmd/api and cmd/worker are two services, not one.
	SplitRoots bool `yaml:"split_roots"`
	// Entry decides which files make a service on their own: "main" (a program entry point
	// is a service: Go, Java, C#), "server" (only a file that starts a server or registers
	// routes: Python and JavaScript, where any script may have a main guard).
	Entry string `yaml:"entry"`
	// AuthNames is a regular expression on the last name of a middleware or a decorator no
	// pack knows: a match says it authenticates (requireAuth, login_required).
	AuthNames string `yaml:"auth_names"`
	Syntax    Syntax `yaml:"syntax"`
	// Flow is how statements are written, for the taint engine.
	Flow FlowSyntax `yaml:"flow"`

	authRE *regexp.Regexp
	idx    index
	// tidx holds the rows of the taint engine (sources, sinks, sanitisers, propagators,
	// checks, parameter types): a call may match several of them, and none hides a row of
	// the model's.
	tidx index

	tests, roots []*regexp.Regexp
	packs        []*Pack
	// base holds base.scm, and baseFor the patterns of base.<grammar>.scm that only one
	// grammar of the language has (TypeScript's type annotations).
	base    string
	baseFor map[parse.Lang]string
}

// Grammar is one tree-sitter grammar of a language and the files it reads.
type Grammar struct {
	Lang       parse.Lang `yaml:"lang"`
	Format     string     `yaml:"format"` // the analyzer's name: element IDs start with it
	Extensions []string   `yaml:"extensions"`
}

// Syntax maps the node kinds of a grammar to the roles the engine understands, so that one
// engine reads every language.
type Syntax struct {
	Strings        []string             `yaml:"strings"`        // string literals
	StringParts    []string             `yaml:"string_parts"`   // the text inside them (fragments, escapes)
	Interpolations []string             `yaml:"interpolations"` // holes of template strings
	Identifiers    []string             `yaml:"identifiers"`
	Self           []string             `yaml:"self"` // this, self: the receiver of a method
	Members        map[string]Shape     `yaml:"members"`
	Calls          map[string]Shape     `yaml:"calls"`
	Keywords       map[string]Shape     `yaml:"keywords"` // keyword arguments: key, value
	Pairs          map[string]Shape     `yaml:"pairs"`    // pairs of object literals: key, value
	Objects        []string             `yaml:"objects"`
	Lists          []string             `yaml:"lists"`
	Concat         []string             `yaml:"concat"`   // binary expressions; "+" concatenates
	Fallbacks      []string             `yaml:"fallback"` // binary expressions; ||, ??, or give a default
	True           []string             `yaml:"true"`
	False          []string             `yaml:"false"`
	Booleans       []string             `yaml:"booleans"` // literals whose text says true or false
	Null           []string             `yaml:"null"`
	Numbers        []string             `yaml:"numbers"`
	Unwrap         []string             `yaml:"unwrap"` // nodes that stand for their only named child: await, parentheses
	Lambdas        map[string]Shape     `yaml:"lambdas"`
	Literals       map[string]Shape     `yaml:"literals"` // composite literals: their body is their value
	Types          []string             `yaml:"types"`    // type wrappers whose first named child is the type: pointers, generics
	Defs           map[string]DefShape  `yaml:"defs"`
	Decorators     []string             `yaml:"decorators"` // annotation nodes, skipped between an annotation and its target
	Comments       []string             `yaml:"comments"`
	Extra          map[string]yaml.Node `yaml:",inline"`
}

// Shape names the fields of a node: for a call its function (or object and method) and
// arguments, for a member its object and property, for a pair its key and value. A field
// "#0" is the node's first named child, "#-1" its last.
type Shape struct {
	Function string `yaml:"function"`
	Object   string `yaml:"object"`
	Property string `yaml:"property"`
	Args     string `yaml:"args"`
	Key      string `yaml:"key"`
	Value    string `yaml:"value"`
	Body     string `yaml:"body"`
}

// DefShape is a definition: a function, a method, a class or a field, its name and body.
type DefShape struct {
	Role   string `yaml:"role"` // function, class, field
	Name   string `yaml:"name"` // a field path: "name", "declarator.name", "definition.name"
	Body   string `yaml:"body"`
	Params string `yaml:"params"` // a function's parameter list
}

// Pack is the knowledge of one framework or library: which imports enable it, the query
// patterns its shapes need beyond base.scm, and its rows.
type Pack struct {
	Name string `yaml:"pack"`
	// Framework names the framework for the rows that do not name one.
	Framework string `yaml:"framework"`
	// Imports are module paths (or prefixes of them, ending in "/" or ".") whose import in a
	// file enables the pack there; a pack without imports applies to every file.
	Imports []string `yaml:"imports"`
	// Query holds extra tree-sitter patterns in base.scm's capture conventions, or captures
	// of its own that rows with `capture:` read.
	Query string `yaml:"query"`
	// Grammars restricts Query to some grammars of the language (typescript, tsx).
	Grammars []parse.Lang `yaml:"grammars"`
	Rows     []*Row       `yaml:"rows"`

	file string
	lang *Language
}

// The kinds of rows. The taint kinds (source, sink, sanitiser, propagator, check) are read
// by the taint engine (taint.go), from an index of their own.
const (
	KindServer     = "server"     // starts a server or an application: makes a service
	KindEntry      = "entry"      // an entry point: route, RPC service, tool
	KindMiddleware = "middleware" // installs middleware on what it is called on
	KindAuth       = "auth"       // authenticates the callers of what it applies to
	KindAnonymous  = "anonymous"  // lets callers in without authentication
	KindOutbound   = "outbound"   // a client call to another service (HTTP, gRPC, SDK)
	KindStore      = "store"      // a connection to a database, cache, queue, bucket
	KindLLM        = "llm"        // a call to a model provider or agent framework
	KindConfig     = "config"     // reads configuration: an environment variable, a property
	KindOption     = "option"     // an option of the client call it is passed to
	KindControl    = "control"    // a security property of the service
	KindType       = "type"       // says only what the call returns (Returns) and the prefix it gives routes
	KindIdentity   = "identity"   // returns its first argument (aws.String, str): values pass through
	KindSource     = "source"     // taint: untrusted data enters
	KindSink       = "sink"       // taint: data reaches a dangerous call
	KindSanitiser  = "sanitiser"  // taint: data is made safe
	KindPropagator = "propagator" // taint: data flows from an argument to the result (or into the receiver)
	KindCheck      = "check"      // a call or setting that is a finding of its own when its conditions hold
)

var rowKinds = []string{KindServer, KindEntry, KindMiddleware, KindAuth, KindAnonymous, KindOutbound, KindStore,
	KindLLM, KindConfig, KindOption, KindControl, KindType, KindIdentity, KindSource, KindSink, KindSanitiser, KindPropagator, KindCheck}

// taintKind reports whether rows of kind k belong to the taint engine's index.
func taintKind(k string) bool {
	switch k {
	case KindSource, KindSink, KindSanitiser, KindPropagator, KindCheck:
		return true
	}
	return false
}

// Row is one fact of a pack: what a call (or an annotation, a read, a keyword, a supertype,
// a capture) means. Arguments are named by ArgSpecs.
type Row struct {
	// The key: exactly one of these. Call is the qualified name of a called function, method
	// or constructor, or of an annotation; Read of an object read with a key
	// (os.environ["X"], process.env.X); Setting a keyword argument, object key or field
	// name; Super a supertype; Capture a capture name of a pack query. Qualified names may
	// use * for any run of characters but dots.
	Call    string `yaml:"call"`
	Read    string `yaml:"read"`
	Setting string `yaml:"setting"`
	Super   string `yaml:"super"`
	Capture string `yaml:"capture"`
	// Param is a parameter name: a `type` row types the parameters of that name (a Django
	// view's request, an Express handler's req) for the taint engine.
	Param string `yaml:"param"`

	Kind      string `yaml:"kind"`
	Framework string `yaml:"framework"`
	// Verbs expand the row into one per HTTP verb: call X with verbs [get, post] is the rows
	// X.get (method GET) and X.post (method POST).
	Verbs []string `yaml:"verbs"`
	// Returns is the type of the call's result, when it is not the callee itself
	// (gin.Default returns a gin.Engine).
	Returns string `yaml:"returns"`
	// File restricts the row to files whose path matches this regular expression (Next.js
	// routes live in app/**/route.ts).
	File string `yaml:"file"`
	// Env is the configuration a client reads its address from when its arguments name
	// none (Prisma reads DATABASE_URL).
	Env string `yaml:"env"`
	// Prefix is where the call gives the routes registered on its result a path prefix:
	// gin's r.Group("/v1"), Flask's Blueprint(url_prefix="/api").
	Prefix ArgSpec `yaml:"prefix"`
	Note   string  `yaml:"note"`

	// Entries.
	Method  string  `yaml:"method"`  // a literal HTTP method, or an ArgSpec (field:method)
	Methods ArgSpec `yaml:"methods"` // where the methods are listed
	Path    ArgSpec `yaml:"path"`    // where the path is ("file": from the file's path)
	// PathOnly says the annotation gives its definition's path, another its method: JAX-RS
	// writes @Path("/x") and @GET apart.
	PathOnly bool    `yaml:"path_only"`
	Handler  ArgSpec `yaml:"handler"`  // the handler (default: the last argument)
	Protocol string  `yaml:"protocol"` // http (default), grpc, mcp
	Type     string  `yaml:"type"`     // the element's type, when the default does not say it
	Service  string  `yaml:"service"`  // a regular expression whose group 1, on the callee, names an RPC service

	// Clients.
	URL        ArgSpec           `yaml:"url"`    // where the address is: URL, DSN, host:port
	Host       ArgSpec           `yaml:"host"`   // or its host…
	Port       ArgSpec           `yaml:"port"`   // …and port
	Name       ArgSpec           `yaml:"name"`   // the resource's name: bucket, queue, table
	Target     string            `yaml:"target"` // the host when the call names none (SDKs)
	Technology string            `yaml:"technology"`
	TechArg    ArgSpec           `yaml:"technology_arg"` // where the technology is named (sql.Open's driver)
	TechMap    map[string]string `yaml:"technology_map"` // what each name means
	Category   string            `yaml:"category"`       // database, cache, queue, bucket, search
	Provider   string            `yaml:"provider"`       // llm: openai, anthropic, azure_openai…
	Prompt     ArgSpec           `yaml:"prompt"`         // llm: what reaches the prompt
	Options    []Option          `yaml:"options"`        // arguments that set attributes
	Set        map[string]any    `yaml:"set"`            // attributes the call always sets (tls: false)
	// UnlessCall skips an entry whose handler is a call to one of these: Django's
	// path("api/", include("api.urls")) mounts routes, it is none.
	UnlessCall []string `yaml:"unless_call"`

	// Configuration.
	Key ArgSpec `yaml:"key"` // the name read (default arg0; for reads, the key)
	// KeyPrefix is put before the name read: GetConnectionString("Orders") reads
	// ConnectionStrings:Orders.
	KeyPrefix string  `yaml:"key_prefix"`
	Default   ArgSpec `yaml:"default"` // the default value
	Source    string  `yaml:"source"`  // env (default), property (Spring), appsettings (.NET)

	// Options, settings and controls: set Attr to Value (or to what the argument or setting
	// holds, when Value is absent), when When holds.
	Attr  string `yaml:"attr"`
	Value any    `yaml:"value"`
	When  *Cond  `yaml:"when"`
	// Values maps what is written to what the attribute (or an entry's method) holds:
	// {VersionTLS10: "1.0"}, {doGet: GET}.
	Values map[string]any `yaml:"values"`
	// On says what an option, a setting or an auth call applies to: "flow" (the client call
	// it is passed to, else the file's flows of Protocol), "component", "receiver" (the route
	// whose registration it is called on: app.MapGet(…).RequireAuthorization()).
	On string `yaml:"on"`

	// Taint (docs/code.md, "Taint"). A sink's Arg is the argument that must not carry
	// untrusted data (default: every argument and the receiver); a source's Arg "target" makes
	// the parameters of the definition an annotation applies to sources (@KafkaListener), and
	// a setting source the parameters of the function it is set to (kafkajs's eachMessage).
	SinkKind string  `yaml:"sink_kind"`
	Arg      ArgSpec `yaml:"arg"`
	// SourceKind is what a source is: http (default), grpc, queue, tool, llm, random.
	SourceKind string `yaml:"source_kind"`
	// Accepts are the source kinds a sink is dangerous for (default: the untrusted kinds).
	Accepts []string `yaml:"accepts"`
	// Kinds are the sink kinds a sanitiser makes a value safe for (default: all). A Guard
	// sanitiser is a check that returns whether its Arg is safe: the value is safe where the
	// check holds (after `if not ok: return`, inside `if ok:`).
	Kinds []string `yaml:"kinds"`
	Guard bool     `yaml:"guard"`
	// To is where a propagator puts its arguments' taint: "receiver" (a builder, a
	// collection: sb.append(x)), else its result.
	To string `yaml:"to"`
	// Check names the finding a check row makes (weak_cipher, insecure_cookie…); All are
	// conditions that must hold beside When.
	Check string  `yaml:"check"`
	All   []*Cond `yaml:"all"`
	// Fix is the mechanical fix of a check or a sink, when there is one.
	Fix *RowFix `yaml:"fix"`
	// Unless silences a check or a sink in a file whose text matches this regular
	// expression (a parser hardened elsewhere in the file); Also requires a match.
	Unless string `yaml:"unless"`
	Also   string `yaml:"also"`

	pack   *Pack
	fileRE *regexp.Regexp
	// unlessRE and alsoRE are Unless and Also compiled.
	unlessRE, alsoRE *regexp.Regexp
	line             int
	verb             int // 1 for the first row a verbs list expands to, 2… for the others
	callRE           *regexp.Regexp
	// lastPre and lastSuf are what the last segment of a name the glob matches starts and
	// ends with: a cheap test before the regular expression.
	lastPre, lastSuf string
	svcRE            *regexp.Regexp
	index            int
	position         string
}

// Option is an argument of a client call that sets an attribute of its flow:
// {arg: kw:verify, attr: tls_verify}.
type Option struct {
	Arg   ArgSpec `yaml:"arg"`
	Attr  string  `yaml:"attr"`
	Value any     `yaml:"value"` // set this when the argument is present (else its own value)
	When  *Cond   `yaml:"when"`
}

// Cond is a condition on an argument: it holds when the argument's value is one of Equals
// ("absent" matches an argument not given, "*" any value), or does not match when Not.
type Cond struct {
	Arg    ArgSpec `yaml:"arg"`
	Equals []any   `yaml:"equals"`
	Not    bool    `yaml:"not"`
	// Below holds of a number less than it (a key size); Match of a value or an argument's
	// text that the regular expression matches (check rows only).
	Below int64  `yaml:"below"`
	Match string `yaml:"match"`
	// Const holds of an argument that is a constant written in the code (a static IV).
	Const bool `yaml:"const"`
	// Type holds of an argument that is a variable of this type (fmt.Fprintf's writer is
	// an http.ResponseWriter).
	Type string `yaml:"type"`
	// Receiver reads Arg on the call that made the receiver: the "MD5" of
	// MessageDigest.getInstance("MD5") for md.digest(…).
	Receiver bool `yaml:"receiver"`

	matchRE *regexp.Regexp
}

// RowFix is how a check or a sink is fixed mechanically. One of:
//   - Callee: the callee's last name becomes this (hashlib.md5 → sha256);
//   - Arg and With: the argument's text becomes With (verify=False → True); with Old,
//     only Old inside the argument's text is replaced (MD5 → SHA-256);
//   - Add: this argument is added at the end (algorithms=["HS256"]);
//   - Placeholder: a query built by concatenation or interpolation becomes a parameterised
//     one with this placeholder (?, %s, $ for $1 $2…) and its values passed as Args
//     (tuple, list or variadic); "driver:postgres=$,sqlite=?" chooses by the database the
//     sink queries (no fix when the engine cannot tell which).
type RowFix struct {
	Callee      string  `yaml:"callee"`
	Arg         ArgSpec `yaml:"arg"`
	With        string  `yaml:"with"`
	Old         string  `yaml:"old"`
	Add         string  `yaml:"add"`
	Placeholder string  `yaml:"placeholder"`
	Args        string  `yaml:"args"`
}

// Key returns the row's key and what it keys: "call", "read", "setting", "super", "capture".
func (r *Row) key() (what, key string) {
	switch {
	case r.Call != "":
		return "call", r.Call
	case r.Read != "":
		return "read", r.Read
	case r.Setting != "":
		return "setting", r.Setting
	case r.Super != "":
		return "super", r.Super
	case r.Param != "":
		return "param", r.Param
	}
	return "capture", r.Capture
}

// Pos says where the row is written: packs/python/web.yaml:12.
func (r *Row) Pos() string { return r.position }

// FrameworkName is the row's framework, or its pack's.
func (r *Row) FrameworkName() string {
	if r.Framework != "" {
		return r.Framework
	}
	if r.pack.Framework != "" {
		return r.pack.Framework
	}
	return r.pack.Name
}

// Pack returns the pack the row belongs to.
func (r *Row) Pack() *Pack { return r.pack }

var languageNames = []string{"go", "python", "javascript", "java", "csharp"}

// loadLanguages reads every language's lang.yaml, base.scm and packs from fsys.
func loadLanguages(fsys fs.FS) ([]*Language, error) {
	var out []*Language
	for _, name := range languageNames {
		l, err := loadLanguage(fsys, name)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func decodeStrict(src []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func loadLanguage(fsys fs.FS, name string) (*Language, error) {
	dir := path.Join("packs", name)
	src, err := fs.ReadFile(fsys, path.Join(dir, "lang.yaml"))
	if err != nil {
		return nil, fmt.Errorf("code packs: %w", err)
	}
	l := &Language{}
	if err := decodeStrict(src, l); err != nil {
		return nil, fmt.Errorf("code packs %s/lang.yaml: %w", dir, err)
	}
	if len(l.Syntax.Extra) > 0 {
		var keys []string
		for k := range l.Syntax.Extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("code packs %s/lang.yaml: unknown syntax roles %v", dir, keys)
	}
	if l.Name != name {
		return nil, fmt.Errorf("code packs %s/lang.yaml: name %q, want %q", dir, l.Name, name)
	}
	for _, s := range l.Tests {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("code packs %s/lang.yaml: tests: %w", dir, err)
		}
		l.tests = append(l.tests, re)
	}
	for _, s := range l.Roots {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("code packs %s/lang.yaml: roots: %w", dir, err)
		}
		l.roots = append(l.roots, re)
	}
	if len(l.Flow.Library) > 0 {
		re, err := regexp.Compile("^(?:" + strings.Join(l.Flow.Library, "|") + ")")
		if err != nil {
			return nil, fmt.Errorf("code packs %s/lang.yaml: flow.library: %w", dir, err)
		}
		l.Flow.libRE = re
	}
	if l.AuthNames != "" {
		if l.authRE, err = regexp.Compile(l.AuthNames); err != nil {
			return nil, fmt.Errorf("code packs %s/lang.yaml: auth_names: %w", dir, err)
		}
	}
	base, err := fs.ReadFile(fsys, path.Join(dir, "base.scm"))
	if err != nil {
		return nil, fmt.Errorf("code packs: %w", err)
	}
	l.base = string(base)
	l.baseFor = map[parse.Lang]string{}
	for _, g := range l.Grammars {
		if src, err := fs.ReadFile(fsys, path.Join(dir, "base."+string(g.Lang)+".scm")); err == nil {
			l.baseFor[g.Lang] = string(src)
		}
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("code packs: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") || e.Name() == "lang.yaml" {
			continue
		}
		file := path.Join(dir, e.Name())
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("code packs: %w", err)
		}
		var doc struct {
			Packs []*Pack `yaml:"packs"`
		}
		if err := decodeStrict(src, &doc); err != nil {
			return nil, fmt.Errorf("code packs %s: %w", file, err)
		}
		var root yaml.Node
		_ = yaml.Unmarshal(src, &root) // decoded above: only for row line numbers
		lines := rowLines(&root)
		n := 0
		for _, p := range doc.Packs {
			p.file, p.lang = file, l
			if p.Name == "" {
				return nil, fmt.Errorf("code packs %s: a pack without a name", file)
			}
			p.Rows = expandVerbs(p.Rows)
			for i, r := range p.Rows {
				r.pack, r.index = p, i
				r.position = file
				switch {
				case r.verb <= 1 && n < len(lines):
					r.line = lines[n]
					n++
				case r.verb > 1 && n > 0 && n <= len(lines):
					r.line = lines[n-1]
				}
				if r.line > 0 {
					r.position = fmt.Sprintf("%s:%d", file, r.line)
				}
				if err := r.check(); err != nil {
					return nil, fmt.Errorf("code packs %s: pack %s: %w", r.position, p.Name, err)
				}
			}
			l.packs = append(l.packs, p)
		}
	}
	l.idx, l.tidx = buildIndex(l.packs, false), buildIndex(l.packs, true)
	return l, nil
}

// querySource assembles the query of grammar g: base.scm, base.<g>.scm, then every pack's
// patterns, with the offset each pack's patterns start at.
func (l *Language) querySource(g parse.Lang) (string, []int, []*Pack) {
	var q strings.Builder
	q.WriteString(l.base)
	q.WriteString("\n")
	q.WriteString(l.baseFor[g])
	q.WriteString("\n")
	var starts []int
	var owners []*Pack
	for _, p := range l.packs {
		if strings.TrimSpace(p.Query) == "" || len(p.Grammars) > 0 && !slices.Contains(p.Grammars, g) {
			continue
		}
		starts = append(starts, q.Len())
		owners = append(owners, p)
		q.WriteString(p.Query)
		q.WriteString("\n")
	}
	return q.String(), starts, owners
}

// expandVerbs expands rows with verbs into one row per verb.
func expandVerbs(rows []*Row) []*Row {
	var out []*Row
	for _, r := range rows {
		if len(r.Verbs) == 0 {
			out = append(out, r)
			continue
		}
		for i, v := range r.Verbs {
			c := *r
			c.Verbs = nil
			c.Call = r.Call + "." + v
			c.verb = i + 1
			if c.Method == "" && c.Kind == KindEntry {
				c.Method = verbMethod(v)
			}
			out = append(out, &c)
		}
	}
	return out
}

// verbMethod is the HTTP method a verb of a router names: get, GET, MapGet, add_get and
// Get are GET; Any and all are any method.
func verbMethod(v string) string {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "Map"), "add_")
	v = strings.ToUpper(strings.TrimSuffix(v, "Async"))
	if v == "ANY" || v == "ALL" {
		return "*"
	}
	return v
}

// rowLines returns the line of every row of every pack of a packs file, in order.
func rowLines(doc *yaml.Node) []int {
	var out []int
	if len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "packs" {
			continue
		}
		for _, p := range top.Content[i+1].Content {
			for j := 0; j+1 < len(p.Content); j += 2 {
				if p.Content[j].Value == "rows" {
					for _, r := range p.Content[j+1].Content {
						out = append(out, r.Line)
					}
				}
			}
		}
	}
	return out
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_$@/.*:<>\[\]-]+$`)

// check validates a row: one key, a known kind, the fields its kind needs, arg specs that
// parse.
func (r *Row) check() error {
	n := 0
	for _, k := range []string{r.Call, r.Read, r.Setting, r.Super, r.Capture, r.Param} {
		if k != "" {
			n++
			if !nameRE.MatchString(k) {
				return fmt.Errorf("bad key %q", k)
			}
		}
	}
	if n != 1 {
		return fmt.Errorf("a row has exactly one of call, read, setting, super, capture, param (has %d)", n)
	}
	if !slices.Contains(rowKinds, r.Kind) {
		return fmt.Errorf("unknown kind %q (one of %v)", r.Kind, rowKinds)
	}
	_, key := r.key()
	if strings.Contains(key, "*") {
		r.callRE = globRE(key)
		last := key[strings.LastIndexByte(key, '.')+1:]
		if i := strings.IndexByte(last, '*'); i >= 0 {
			r.lastPre, r.lastSuf = last[:i], last[strings.LastIndexByte(last, '*')+1:]
		} else {
			r.lastPre, r.lastSuf = last, last
		}
	}
	if r.File != "" {
		re, err := regexp.Compile(r.File)
		if err != nil {
			return fmt.Errorf("file: %w", err)
		}
		r.fileRE = re
	}
	if r.Service != "" {
		re, err := regexp.Compile(r.Service)
		if err != nil {
			return fmt.Errorf("service: %w", err)
		}
		r.svcRE = re
	}
	for _, s := range []ArgSpec{r.Methods, r.Path, r.Handler, r.URL, r.Host, r.Port, r.Name, r.TechArg, r.Prompt, r.Key, r.Default, r.Arg, r.Prefix} {
		if err := s.check(); err != nil {
			return err
		}
	}
	for _, o := range r.Options {
		if err := o.Arg.check(); err != nil {
			return err
		}
		if o.Attr == "" {
			return fmt.Errorf("an option without attr")
		}
	}
	switch r.Kind {
	case KindStore:
		if r.Technology == "" && r.TechArg == "" {
			return fmt.Errorf("a store row names its technology (technology or technology_arg)")
		}
	case KindLLM:
		if r.Provider == "" {
			return fmt.Errorf("an llm row names its provider")
		}
	case KindOption, KindControl:
		if r.Attr == "" {
			return fmt.Errorf("a %s row names the attribute it sets (attr)", r.Kind)
		}
	case KindSink:
		if !slices.Contains(SinkKinds, r.SinkKind) {
			return fmt.Errorf("a sink row names its sink_kind, one of %v (has %q)", SinkKinds, r.SinkKind)
		}
	case KindCheck:
		if r.Check == "" {
			return fmt.Errorf("a check row names its check")
		}
	}
	if r.Param != "" && r.Kind != KindType {
		return fmt.Errorf("a param row is a type row")
	}
	if r.SourceKind != "" && !slices.Contains(SourceKinds, r.SourceKind) {
		return fmt.Errorf("source_kind %q is not one of %v", r.SourceKind, SourceKinds)
	}
	for _, k := range r.Accepts {
		if !slices.Contains(SourceKinds, k) {
			return fmt.Errorf("accepts: %q is not a source kind (%v)", k, SourceKinds)
		}
	}
	for _, k := range r.Kinds {
		if !slices.Contains(SinkKinds, k) {
			return fmt.Errorf("kinds: %q is not a sink kind (%v)", k, SinkKinds)
		}
	}
	if r.To != "" && r.To != "receiver" && !regexp.MustCompile(`^arg[0-9]$`).MatchString(r.To) {
		return fmt.Errorf("to: %q is not receiver or argN", r.To)
	}
	for _, x := range []struct {
		src string
		re  **regexp.Regexp
	}{{r.Unless, &r.unlessRE}, {r.Also, &r.alsoRE}} {
		if x.src == "" {
			continue
		}
		re, err := regexp.Compile(x.src)
		if err != nil {
			return fmt.Errorf("unless/also: %w", err)
		}
		*x.re = re
	}
	for _, c := range append([]*Cond{r.When}, r.All...) {
		if c == nil {
			continue
		}
		if err := c.Arg.check(); err != nil {
			return err
		}
		if c.Match != "" {
			re, err := regexp.Compile(c.Match)
			if err != nil {
				return fmt.Errorf("match: %w", err)
			}
			c.matchRE = re
		}
	}
	if r.Fix != nil {
		if err := r.Fix.Arg.check(); err != nil {
			return err
		}
		n := 0
		for _, set := range []bool{r.Fix.Callee != "", r.Fix.Arg != "", r.Fix.Add != "", r.Fix.Placeholder != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("a fix is one of callee, arg (with with), add, placeholder")
		}
	}
	if r.Setting != "" && r.Attr == "" && (r.Kind == KindControl || r.Kind == KindOption) {
		return fmt.Errorf("a setting row names the attribute it sets (attr)")
	}
	switch r.On {
	case "", "flow", "component", "receiver":
	default:
		return fmt.Errorf("on: %q is not flow, component or receiver", r.On)
	}
	return nil
}

// globRE compiles a qualified name with * wildcards: any run of characters but a dot, or,
// leading the name before a dot, anything up to a dot (a Go import path has dots:
// *.Register*Server matches github.com/x/pb.RegisterGreeterServer).
func globRE(s string) *regexp.Regexp {
	lead := ""
	if rest, ok := strings.CutPrefix(s, "*."); ok {
		lead, s = `.*\.`, rest
	}
	parts := strings.Split(s, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + lead + strings.Join(parts, `[^.]*`) + "$")
}

// ArgSpec says where a value is among a call's arguments, alternatives separated by |:
// arg0 (the first positional argument), kw:name (a keyword argument, a named argument, or a
// property of an object literal argument), last (the last argument), field:name (a capture
// of the match, for capture rows), callee (the callee's text), target (the name of the
// definition an annotation applies to), file (the file's path, for file-based routes).
type ArgSpec string

var argRE = regexp.MustCompile(`^(arg[0-9]+|kw:[A-Za-z_$][A-Za-z0-9_$.-]*|last|field:[a-z_.]+|callee|target|file|receiver|any)$`)

func (s ArgSpec) check() error {
	if s == "" {
		return nil
	}
	for _, alt := range strings.Split(string(s), "|") {
		if !argRE.MatchString(alt) {
			return fmt.Errorf("bad argument %q in %q", alt, s)
		}
	}
	return nil
}

func (s ArgSpec) alts() []string {
	if s == "" {
		return nil
	}
	return strings.Split(string(s), "|")
}
