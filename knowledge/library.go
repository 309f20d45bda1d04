package knowledge

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"go.yaml.in/yaml/v3"

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
}

// Builtin loads the library embedded in the binary. An entry that does not load is a bug that
// a test catches; here it is returned as an error rather than a panic.
func Builtin() (*Library, error) {
	lib, errs := Load(builtin, "threats")
	if len(errs) > 0 {
		return lib, errors.Join(errs...)
	}
	return lib, nil
}

// LoadWith loads the built-in library plus the threats in the YAML files of extra directories
// (a repository's own threats, in the same format). Entries that do not load are left out and
// reported; the rest of the library works.
func LoadWith(extraDirs ...string) (*Library, []error) {
	files, errs := collect(builtin, "threats", "")
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

type source struct {
	name string
	data []byte
}

func build(files []source) (*Library, []error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	env, err := newEnv()
	if err != nil {
		return nil, []error{err}
	}
	lib := &Library{byID: map[string]*Threat{}, byType: map[string][]*rule{}, byKind: map[model.Kind][]*rule{}}
	var errs []error
	for _, f := range files {
		var nodes []yaml.Node
		if err := yaml.Unmarshal(f.data, &nodes); err != nil {
			errs = append(errs, fmt.Errorf("threat library %s: %w", f.name, err))
			continue
		}
		for i := range nodes {
			t, err := decodeEntry(&nodes[i])
			if err != nil {
				errs = append(errs, fmt.Errorf("threat library %s: entry at line %d: %w", f.name, nodes[i].Line, err))
				continue
			}
			t.file = f.name
			if err := t.validate(); err != nil {
				errs = append(errs, fmt.Errorf("threat library %s: %s: %w", f.name, t.ID, err))
				continue
			}
			if prev, dup := lib.byID[t.ID]; dup {
				errs = append(errs, fmt.Errorf("threat library %s: %s is already defined in %s", f.name, t.ID, prev.file))
				continue
			}
			r, err := compile(env, t)
			if err != nil {
				errs = append(errs, fmt.Errorf("threat library %s: %s: %w", f.name, t.ID, err))
				continue
			}
			lib.byID[t.ID] = t
			lib.threats = append(lib.threats, t)
			lib.rules = append(lib.rules, r)
			for _, ty := range t.AppliesTo.Types {
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
	if len(t.AppliesTo.Types) == 0 && len(t.AppliesTo.Kinds) == 0 {
		bad("applies_to needs types or kinds")
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
