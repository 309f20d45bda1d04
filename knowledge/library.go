package knowledge

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"cel.dev/cel-go/cel"
	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

//go:embed threats/*.yaml
var builtin embed.FS

// DocBase is where the generated rules page lives; a threat's documentation URL is
// DocBase + "#" + lower-case ID.
const DocBase = "https://github.com/threatls/threatls/blob/main/docs/rules.md"

// DocURL returns the documentation URL of a threat or meta finding.
func DocURL(id string) string { return DocBase + "#" + strings.ToLower(id) }

// Library is a compiled, immutable set of threats, safe for concurrent use.
type Library struct {
	threats []*Threat
	byID    map[string]*Threat
	rules   []*rule
	byType  map[string][]*rule
	byKind  map[model.Kind][]*rule
	merged  sync.Map // typeKind → the rules of the type and of the kind, each once
	// lazy holds the rules of entries compiled on first use (the built-in ones, which the
	// tests compile): a CLI run compiles only the conditions of the types and kinds it meets.
	lazy map[*rule]*lazyRule
}

// lazyRule is the compilation state of a rule compiled on first use.
type lazyRule struct {
	once sync.Once
	err  error
}

// ready compiles the rules of rs not compiled yet and returns rs without those that do not
// compile (rs itself when all do).
func (l *Library) ready(rs []*rule) []*rule {
	if len(l.lazy) == 0 {
		return rs
	}
	failed := false
	for _, r := range rs {
		if lz := l.lazy[r]; lz != nil {
			lz.once.Do(func() { lz.err = compileInto(r) })
			failed = failed || lz.err != nil
		}
	}
	if !failed {
		return rs
	}
	out := make([]*rule, 0, len(rs))
	for _, r := range rs {
		if lz := l.lazy[r]; lz == nil || lz.err == nil {
			out = append(out, r)
		}
	}
	return out
}

// compileInto compiles r's threat into r.
func compileInto(r *rule) error {
	env, err := sharedEnv()
	if err != nil {
		return err
	}
	c, err := compile(env, r.threat)
	if err != nil {
		return fmt.Errorf("threat library %s: %s: %w", r.threat.file, r.threat.ID, err)
	}
	*r = *c
	return nil
}

var (
	envOnce sync.Once
	env     *cel.Env
	envErr  error
)

// sharedEnv returns the condition environment, made once: it is immutable.
func sharedEnv() (*cel.Env, error) {
	envOnce.Do(func() { env, envErr = newEnv() })
	return env, envErr
}

// Compile compiles every condition not compiled yet and returns the errors of those that do
// not compile: what loading would have reported, for the entries compiled on first use.
func (l *Library) Compile() []error {
	var errs []error
	for _, r := range l.rules {
		if lz := l.lazy[r]; lz != nil {
			lz.once.Do(func() { lz.err = compileInto(r) })
			if lz.err != nil {
				errs = append(errs, lz.err)
			}
		}
	}
	return errs
}

// Builtin loads the library embedded in the binary. An entry that does not load is a bug that
// a test catches; here it is returned as an error rather than a panic. Conditions are compiled
// on first use (Compile compiles them all).
func Builtin() (*Library, error) {
	files, errs := collect(builtin, "threats", "")
	for i := range files {
		files[i].lazy = true
	}
	lib, more := build(files)
	if errs = append(errs, more...); len(errs) > 0 {
		return lib, errors.Join(errs...)
	}
	return lib, nil
}

// LoadWith loads the built-in library plus the threats in the YAML files of extra directories
// (a repository's own threats, in the same format). Entries that do not load are left out and
// reported; the rest of the library works.
func LoadWith(extraDirs ...string) (*Library, []error) {
	files, errs := collect(builtin, "threats", "")
	for i := range files {
		files[i].lazy = true
	}
	for _, dir := range extraDirs {
		more, moreErrs := collect(os.DirFS(dir), ".", dir+"/")
		files, errs = append(files, more...), append(errs, moreErrs...)
	}
	lib, more := build(files)
	return lib, append(errs, more...)
}

// Load reads every .yaml file under dir of fsys.
func Load(fsys fs.FS, dir string) (*Library, []error) {
	files, errs := collect(fsys, dir, "")
	lib, more := build(files)
	return lib, append(errs, more...)
}

// collect reads the .yaml files under dir; prefix is prepended to their names in messages.
func collect(fsys fs.FS, dir, prefix string) ([]source, []error) {
	var files []source
	var errs []error
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("threat library %s%s: %w", prefix, p, err))
			return nil
		}
		if d.IsDir() || path.Ext(p) != ".yaml" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("threat library: %w", err))
			return nil
		}
		files = append(files, source{name: prefix + p, data: b})
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("threat library %s%s: %w", prefix, dir, err))
	}
	return files, errs
}

// decodeEntry decodes one entry strictly (an unknown field is an error), so that one bad entry
// costs only itself, not the rest of its file.
func decodeEntry(n *yaml.Node) (*Threat, error) {
	b, err := yaml.Marshal(n)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var t Threat
	if err := dec.Decode(&t); err != nil {
		return nil, err
	}
	return &t, nil
}

// decodeFile decodes the entries of a library file strictly. The whole file is decoded at
// once; when that fails, entry by entry, so that one bad entry costs only itself. Errors are
// appended to errs.
func decodeFile(f source, errs *[]error) []*Threat {
	dec := yaml.NewDecoder(bytes.NewReader(f.data))
	dec.KnownFields(true)
	var all []*Threat
	if err := dec.Decode(&all); err == nil || errors.Is(err, io.EOF) {
		return all
	}
	var nodes []yaml.Node
	if err := yaml.Unmarshal(f.data, &nodes); err != nil {
		*errs = append(*errs, fmt.Errorf("threat library %s: %w", f.name, err))
		return nil
	}
	var out []*Threat
	for i := range nodes {
		t, err := decodeEntry(&nodes[i])
		if err != nil {
			*errs = append(*errs, fmt.Errorf("threat library %s: entry at line %d: %w", f.name, nodes[i].Line, err))
			continue
		}
		out = append(out, t)
	}
	return out
}

type source struct {
	name string
	data []byte
	// lazy entries are compiled on first use; the others at once, so that their errors are
	// reported when they load.
	lazy bool
}

func build(files []source) (*Library, []error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	env, err := sharedEnv()
	if err != nil {
		return nil, []error{err}
	}
	lib := &Library{byID: map[string]*Threat{}, byType: map[string][]*rule{}, byKind: map[model.Kind][]*rule{},
		lazy: map[*rule]*lazyRule{}}
	var errs []error
	for _, f := range files {
		for _, t := range decodeFile(f, &errs) {
			t.file = f.name
			if err := t.validate(); err != nil {
				errs = append(errs, fmt.Errorf("threat library %s: %s: %w", f.name, t.ID, err))
				continue
			}
			if prev, dup := lib.byID[t.ID]; dup {
				errs = append(errs, fmt.Errorf("threat library %s: %s is already defined in %s", f.name, t.ID, prev.file))
				continue
			}
			var r *rule
			if f.lazy {
				r = &rule{threat: t}
				lib.lazy[r] = &lazyRule{}
			} else if r, err = compile(env, t); err != nil {
				errs = append(errs, fmt.Errorf("threat library %s: %s: %w", f.name, t.ID, err))
				continue
			}
			t.types = withAliases(append(slices.Clone(t.AppliesTo.Types), mapping.Builtin().TypesMapping(t.AppliesTo.Mapped...)...))
			lib.byID[t.ID] = t
			lib.threats = append(lib.threats, t)
			lib.rules = append(lib.rules, r)
			for _, ty := range t.types {
				lib.byType[ty] = append(lib.byType[ty], r)
			}
			for _, k := range t.AppliesTo.Kinds {
				lib.byKind[k] = append(lib.byKind[k], r)
			}
		}
	}
	sort.Slice(lib.threats, func(i, j int) bool { return lib.threats[i].ID < lib.threats[j].ID })
	return lib, errs
}

// withAliases returns types followed by the other names the resource mapping gives their
// services (AWS::S3::Bucket for aws_s3_bucket), each once.
func withAliases(types []string) []string {
	out := slices.Clone(types)
	for _, ty := range types {
		for _, a := range mapping.Builtin().Aliases(ty) {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// Threats returns every threat, sorted by ID. The slice must not be modified.
func (l *Library) Threats() []*Threat { return l.threats }

// Threat returns the threat with the given ID, or nil.
func (l *Library) Threat(id string) *Threat { return l.byID[id] }

var (
	idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)
	levels    = map[string]int{"low": 1, "medium": 2, "high": 3}
	strides   = map[string]bool{"Spoofing": true, "Tampering": true, "Repudiation": true,
		"InformationDisclosure": true, "DenialOfService": true, "ElevationOfPrivilege": true}
	fixOps = map[string]bool{"set": true, "replace": true, "append": true}
)

func (t *Threat) validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !idPattern.MatchString(t.ID) {
		bad("id %q must look like AWS-S3-001", t.ID)
	}
	if strings.TrimSpace(t.Title) == "" {
		bad("title is required")
	}
	if len(t.Stride) == 0 {
		bad("stride is required")
	}
	for _, s := range t.Stride {
		if !strides[s] {
			bad("stride %q is not a STRIDE category", s)
		}
	}
	if levels[t.Likelihood] == 0 || levels[t.Impact] == 0 {
		bad("likelihood and impact must be low, medium or high")
	}
	if len(t.AppliesTo.Types) == 0 && len(t.AppliesTo.Kinds) == 0 && len(t.AppliesTo.Mapped) == 0 {
		bad("applies_to needs types, kinds or mapped")
	}
	if len(t.AppliesTo.Mapped) > 0 && len(mapping.Builtin().TypesMapping(t.AppliesTo.Mapped...)) == 0 {
		bad("applies_to.mapped: no row of the resource mapping maps %v", t.AppliesTo.Mapped)
	}
	if strings.TrimSpace(t.Condition) == "" {
		bad("condition is required")
	}
	if t.Message == "" {
		bad("message is required")
	} else if _, err := template.New(t.ID).Option("missingkey=error").Parse(t.Message); err != nil {
		bad("message: %v", err)
	}
	if len(t.Mitigations) == 0 {
		bad("at least one mitigation is required: a finding without a remedy is a defect")
	}
	for _, m := range t.Mitigations {
		if m.Title == "" {
			bad("mitigation without a title")
		}
		if m.Attr != "" && len(mapping.Builtin().FixTypes(m.Attr)) == 0 {
			bad("mitigation %q: no resource mapping row has a fix for attribute %s", m.Title, m.Attr)
		}
		for ty, ops := range m.Fixes {
			for _, op := range ops {
				if !fixOps[op.Op] {
					bad("mitigation %q, fix for %s: unknown op %q", m.Title, ty, op.Op)
				}
			}
		}
	}
	for i, ex := range t.Docs.Examples {
		if ex.Title == "" || strings.TrimSpace(ex.Text) == "" {
			bad("docs.examples[%d]: title and text are required", i)
		} else if _, err := template.New(t.ID).Option("missingkey=error").Parse(ex.Text); err != nil {
			bad("docs.examples[%d]: %v", i, err)
		} else if _, err := template.New(t.ID).Option("missingkey=error").Parse(ex.Before); err != nil {
			bad("docs.examples[%d].before: %v", i, err)
		}
	}
	if t.Docs.Why == "" || t.Docs.Fix == "" {
		bad("docs.why and docs.fix are required")
	}
	if (t.Docs.Before == "") != (t.Docs.After == "") {
		bad("docs.before and docs.after go together")
	}
	for fw := range t.Compliance {
		if !slices.Contains(Frameworks, fw) {
			bad("compliance framework %q is not one of %v", fw, Frameworks)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Severity is likelihood × impact: 9 critical, 6 high, 3–4 medium, 1–2 low; info for an
// informational threat.
func (t *Threat) Severity() model.Severity {
	if t.Informational {
		return model.Info
	}
	switch levels[t.Likelihood] * levels[t.Impact] {
	case 9:
		return model.Critical
	case 6:
		return model.High
	case 3, 4:
		return model.Medium
	default:
		return model.Low
	}
}

// File is the library file the threat was loaded from.
func (t *Threat) File() string { return t.file }
