package terraform

import (
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/threatls/threatls/model"
)

// world is every module directory of one Link, for what crosses directories: the values a
// module call passes to its child's variables, and the outputs a caller reads back. Modules
// are made on demand, for resolving names only.
type world struct {
	dirs   map[string][]*model.FileFacts
	mods   map[string]*module
	calls  map[string][]call // child directory → the module blocks that call it
	active map[string]bool   // values being evaluated across directories (cycles end there)
	keys   map[string]string
}

// call is a module block that calls a directory of the workspace.
type call struct {
	caller string // the caller's directory
	b      *Block
}

// varFile is a .tfvars file of a module directory.
type varFile struct {
	file  string
	attrs []*Attribute
}

// newWorld indexes the module calls between the directories of byDir: a module block whose
// source is a local path ("./modules/db", "../shared") calls the directory it names.
func newWorld(byDir map[string][]*model.FileFacts) *world {
	w := &world{dirs: byDir, mods: map[string]*module{}, calls: map[string][]call{},
		active: map[string]bool{}, keys: map[string]string{}}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		for _, f := range byDir[d] {
			raw, ok := f.RawFacts().(*Raw)
			if !ok {
				continue
			}
			for _, b := range raw.Blocks {
				if b.Type != "module" || len(b.Labels) != 1 {
					continue
				}
				if child := childDir(d, b); child != "" && byDir[child] != nil {
					w.calls[child] = append(w.calls[child], call{caller: d, b: b})
				}
			}
		}
	}
	return w
}

// childDir returns the directory a module block with a local source calls, or "".
func childDir(dir string, b *Block) string {
	a := b.Attr("source")
	if a == nil || a.Expr.Kind != Literal {
		return ""
	}
	src, _ := a.Expr.Lit.(string)
	if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
		return "" // a registry, git or archive source: not in the workspace
	}
	return path.Clean(path.Join(dir, src))
}

// module returns the module of dir, for resolution.
func (w *world) module(dir string) *module {
	if m, ok := w.mods[dir]; ok {
		return m
	}
	m := newModule(dir, w.dirs[dir], false)
	m.world = w
	w.mods[dir] = m
	return m
}

// key names everything a directory's elements depend on beyond its own files: the facts of
// the directories linked to it by module calls, either way. A cached build of the directory
// is current when its files and its key are unchanged.
func (w *world) key(dir string) string {
	if k, ok := w.keys[dir]; ok {
		return k
	}
	seen := map[string]bool{dir: true}
	queue := []string{dir}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		var next []string
		for _, c := range w.calls[d] {
			next = append(next, c.caller)
		}
		for child, cs := range w.calls {
			for _, c := range cs {
				if c.caller == d {
					next = append(next, child)
				}
			}
		}
		for _, n := range next {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	delete(seen, dir)
	linked := make([]string, 0, len(seen))
	for d := range seen {
		linked = append(linked, d)
	}
	sort.Strings(linked)
	var b strings.Builder
	for _, d := range linked {
		fmt.Fprintf(&b, "%s:", d)
		for _, f := range w.dirs[d] {
			fmt.Fprintf(&b, "%p,", f)
		}
	}
	w.keys[dir] = b.String()
	return w.keys[dir]
}

// varValue returns the value of variable name: what the module calls pass (for a child
// module), else what the directory's .tfvars files set (for a root module), else its default.
func (m *module) varValue(name string, depth int) (any, string) {
	via := "var." + name
	if m.world != nil {
		if calls := m.world.calls[m.dir]; len(calls) > 0 {
			return m.input(name, calls, depth)
		}
	}
	if v, from, ok := m.fromVarFiles(name, depth); ok {
		return v, via + " (" + from + ")"
	}
	d := m.attr(m.vars[name], "default")
	if d == nil {
		return &unknownVal{Note: via + " has no default"}, via
	}
	v, _ := m.eval(d.Expr, depth+1)
	return v, via
}

// input returns the value the calls of a child module pass to its variable name: the value
// when they agree, unknown when they differ (the note says how).
func (m *module) input(name string, calls []call, depth int) (any, string) {
	via := "var." + name
	var vals []any
	var wheres []string
	for _, c := range calls {
		a := m.attr(c.b, name)
		where := fmt.Sprintf("module.%s in %s", c.b.Labels[0], c.b.Span.File)
		var v any
		if a == nil {
			d := m.attr(m.vars[name], "default")
			if d == nil {
				v = &unknownVal{Note: where + " does not set " + via + ", which has no default"}
			} else {
				v, _ = m.eval(d.Expr, depth+1)
			}
			where += " (the default)"
		} else {
			key := c.caller + "\x00" + m.dir + "\x00" + name
			if m.world.active[key] {
				return &unknownVal{Note: via + " refers to itself through module calls"}, via
			}
			m.world.active[key] = true
			v, _ = m.world.module(c.caller).eval(a.Expr, depth+1)
			delete(m.world.active, key)
		}
		vals, wheres = append(vals, v), append(wheres, where)
	}
	for _, v := range vals[1:] {
		if !known(v) || !known(vals[0]) || !reflect.DeepEqual(v, vals[0]) {
			if len(vals) == 1 {
				break
			}
			parts := make([]string, len(vals))
			for i, x := range vals {
				parts[i] = fmt.Sprintf("%s: %s", wheres[i], show(x))
			}
			return &unknownVal{Note: fmt.Sprintf("the calls of this module pass different values to %s (%s)", via, strings.Join(parts, "; "))}, via
		}
	}
	return vals[0], via + " (" + wheres[0] + ")"
}

// show renders a value for a note.
func show(v any) string {
	if !known(v) {
		return "unknown"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// fromVarFiles returns what the directory's .tfvars files set variable name to. Terraform
// reads terraform.tfvars and then *.auto.tfvars, later ones winning; other .tfvars files are
// passed with -var-file, so their value counts only when they agree.
func (m *module) fromVarFiles(name string, depth int) (any, string, bool) {
	var auto, other []varFile
	for _, f := range m.varFiles {
		base := path.Base(f.file)
		if base == "terraform.tfvars" || strings.HasSuffix(base, ".auto.tfvars") {
			auto = append(auto, f)
		} else {
			other = append(other, f)
		}
	}
	sort.SliceStable(auto, func(i, j int) bool {
		bi, bj := path.Base(auto[i].file), path.Base(auto[j].file)
		if (bi == "terraform.tfvars") != (bj == "terraform.tfvars") {
			return bi == "terraform.tfvars"
		}
		return bi < bj
	})
	find := func(f varFile) *Attribute {
		for _, a := range f.attrs {
			if a.Name == name {
				return a
			}
		}
		return nil
	}
	var v any
	from, ok := "", false
	for _, f := range auto {
		if a := find(f); a != nil {
			v, _ = m.eval(a.Expr, depth+1)
			from, ok = path.Base(f.file), true
		}
	}
	if ok {
		return v, from, true
	}
	var vals []any
	var files []string
	for _, f := range other {
		if a := find(f); a != nil {
			x, _ := m.eval(a.Expr, depth+1)
			vals, files = append(vals, x), append(files, path.Base(f.file))
		}
	}
	if len(vals) == 0 {
		return nil, "", false
	}
	for _, x := range vals[1:] {
		if !reflect.DeepEqual(x, vals[0]) {
			parts := make([]string, len(vals))
			for i := range vals {
				parts[i] = files[i] + ": " + show(vals[i])
			}
			return &unknownVal{Note: fmt.Sprintf("var.%s differs between the var files (%s)", name, strings.Join(parts, "; "))},
				strings.Join(files, ", "), true
		}
	}
	return vals[0], strings.Join(files, ", "), true
}

// output returns the value of output out of the module the module block mod calls.
func (m *module) output(mod, out string, depth int) (any, string) {
	via := "module." + mod + "." + out
	b := m.modules[mod]
	if b == nil {
		return &unknownVal{Note: "module." + mod + " is not declared"}, via
	}
	child := childDir(m.dir, b)
	if child == "" || m.world == nil || m.world.dirs[child] == nil {
		return &unknownVal{Note: via + " is an output of a module outside the workspace"}, via
	}
	cm := m.world.module(child)
	ob := cm.outputs[out]
	a := m.attr(ob, "value")
	if a == nil {
		return &unknownVal{Note: via + " is not an output of " + child}, via
	}
	key := child + "\x00output." + out
	if m.world.active[key] {
		return &unknownVal{Note: via + " refers to itself through module calls"}, via
	}
	m.world.active[key] = true
	defer delete(m.world.active, key)
	v, _ := cm.eval(a.Expr, depth+1)
	return v, via
}

// primaryDir returns the directory of the workspace's primary AWS provider: the first root
// module (no module of the workspace calls it), in path order, with a provider "aws" block
// that has no alias; "" when there is none. Account-wide threats (no CloudTrail, no
// GuardDuty) are reported once, on it.
func (w *world) primaryDir() string {
	dirs := make([]string, 0, len(w.dirs))
	for d := range w.dirs {
		if len(w.calls[d]) == 0 {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		for _, f := range w.dirs[d] {
			raw, ok := f.RawFacts().(*Raw)
			if !ok {
				continue
			}
			for _, b := range raw.Blocks {
				if b.Type == "provider" && len(b.Labels) == 1 && b.Labels[0] == "aws" && b.Attr("alias") == nil {
					return d
				}
			}
		}
	}
	return ""
}

// providerRole records on a provider element whether it is the workspace's primary AWS
// provider (primary), and for an alias whether any resource or module call of its
// directory uses it (used).
func (m *module) providerRole(el *model.Element, p *Block, name string) {
	alias := m.attr(p, "alias")
	switch {
	case alias != nil:
		el.Default("primary", false, "an aliased provider is never the account's primary one")
	case m.world != nil && m.world.primaryDir() == m.dir:
		el.SetNote("primary", true, p.Head, "the default aws provider of the first root module")
	case m.world == nil:
		el.SetNote("primary", true, p.Head, "the default aws provider of the module")
	default:
		el.Default("primary", false, "another root module's provider is the workspace's primary one, or this module is called by another")
	}
	if alias == nil {
		el.SetNote("used", true, p.Head, "the default provider")
		return
	}
	ref := "aws." + strings.TrimPrefix(name, "provider.aws.")
	for _, r := range m.order {
		if a := m.attr(r.b, "provider"); a != nil && a.Expr.Kind == Ref && a.Expr.RefString() == ref {
			el.SetNote("used", true, a.Span, "used by "+r.addr)
			return
		}
	}
	for _, b := range m.modules {
		if a := m.attr(b, "providers"); a != nil && a.Expr.Kind == Object {
			for _, e := range a.Expr.Elems {
				if e.Kind == Ref && e.RefString() == ref {
					el.SetNote("used", true, a.Span, "passed to module."+b.Labels[0])
					return
				}
			}
		}
	}
	el.Default("used", false, "no resource or module call of the directory uses "+ref)
}

// outsideModules reports each module call of raw, the facts of file, whose source is outside
// the workspace (TLS-010): a registry, git or archive source, or a local path that climbs out
// of the workspace's root (a scan of infra/prod of a repository whose modules are in a
// sibling directory). What the module declares is not in the model. A call read silently as
// nothing made a workspace of registry modules look like one with no threat.
func outsideModules(file string, raw *Raw) []model.Problem {
	var out []model.Problem
	for _, b := range raw.Blocks {
		if b.Type != "module" || len(b.Labels) != 1 {
			continue
		}
		a := b.Attr("source")
		if a == nil || a.Expr == nil || a.Expr.Kind != Literal {
			continue
		}
		src, _ := a.Expr.Lit.(string)
		if src == "" {
			continue
		}
		if child := childDir(path.Dir(file), b); child != "" && child != ".." && !strings.HasPrefix(child, "../") {
			continue // a directory of the workspace
		}
		out = append(out, model.Problem{Span: a.Span, Code: model.ProblemOutside,
			Message: fmt.Sprintf("module %s comes from %s, outside the workspace: what it declares is not in the model", b.Labels[0], src)})
	}
	return out
}
