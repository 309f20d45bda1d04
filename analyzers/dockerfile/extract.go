package dockerfile

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// stage is one FROM and the instructions after it.
type stage struct {
	from *instruction
	// image is the image the stage starts from, its ARGs expanded; known is false when one
	// has no default.
	image string
	known bool
	name  string // AS name
	// parent is the earlier stage the FROM names, if any: the stage inherits from it.
	parent *stage
	args   map[string]string // ARG values in scope
	env    map[string]string // ENV values, inherited by child stages
	last   *instruction      // the stage's last instruction
	user   *instruction
	expose *instruction // the first EXPOSE
	ports  []any
	health *instruction
	secret *instruction // the first ENV or ARG with a literal secret
	secVar string
	apt    *instruction // the first RUN that installs apt packages with their recommendations
}

func (s *stage) lookup(name string) (string, bool) {
	if v, ok := s.env[name]; ok {
		return v, true
	}
	v, ok := s.args[name]
	return v, ok
}

// known lists the instructions a Dockerfile may hold.
var known = map[string]bool{"FROM": true, "RUN": true, "CMD": true, "LABEL": true, "MAINTAINER": true,
	"EXPOSE": true, "ENV": true, "ADD": true, "COPY": true, "ENTRYPOINT": true, "VOLUME": true, "USER": true,
	"WORKDIR": true, "ARG": true, "ONBUILD": true, "STOPSIGNAL": true, "HEALTHCHECK": true, "SHELL": true}

// extractor reads one Dockerfile.
type extractor struct {
	file      string
	src       []byte
	esc       byte
	problems  []model.Problem
	globals   map[string]string // ARGs before the first FROM that have a default
	stages    []*stage
	remote    *instruction // the first ADD of a URL
	remoteURL string
	pipe      *instruction // the first RUN that pipes a download into a shell, in any stage
	pipeWhat  string
	sudo      *instruction // the first RUN that uses sudo, in any stage
}

func (x *extractor) problem(sp model.Span, format string, args ...any) {
	x.problems = append(x.problems, model.Problem{Span: sp, Message: fmt.Sprintf(format, args...)})
}

// Extract reads one Dockerfile into its component, its threatls:ignore comments and its
// problems.
func (*Analyzer) Extract(t *parse.Tree, file string) *model.FileFacts {
	ff := &model.FileFacts{File: file, Format: Name}
	if t == nil {
		return ff
	}
	p, problems := parseFile(t.Src, file)
	x := &extractor{file: file, src: t.Src, esc: p.escape, problems: problems, globals: map[string]string{}}
	for _, ins := range p.instructions {
		x.instruction(ins)
	}
	var defs []model.Span
	if len(x.stages) == 0 {
		sp := model.Span{File: file}
		if len(p.instructions) > 0 {
			sp = p.instructions[0].span
		}
		x.problem(sp, "no FROM instruction: a Dockerfile starts from an image (FROM image or FROM scratch)")
	} else {
		el := x.element(p.instructions)
		ff.Elements = []*model.Element{el}
		for _, s := range x.stages {
			defs = append(defs, model.Span{File: file, Start: s.from.span.Start, End: s.last.span.End})
		}
	}
	for _, ins := range p.instructions {
		defs = append(defs, ins.span)
	}
	sort.SliceStable(defs, func(i, j int) bool { return defs[i].Start.Offset < defs[j].Start.Offset })
	igs, ps := analyzers.LineIgnores(commentLines(t.Src), file, []string{"#"}, defs)
	ff.Ignores = igs
	ff.Problems = append(x.problems, ps...)
	sort.SliceStable(ff.Problems, func(i, j int) bool { return ff.Problems[i].Span.Start.Offset < ff.Problems[j].Span.Start.Offset })
	return ff
}

// commentLines returns src with every line that is not a comment blanked out (its bytes
// spaces, its line break kept): in a Dockerfile, # starts a comment only at the start of a
// line.
func commentLines(src []byte) []byte {
	out := append([]byte(nil), src...)
	start := 0
	for i := 0; i <= len(out); i++ {
		if i < len(out) && out[i] != '\n' {
			continue
		}
		line := out[start:i]
		if t := bytes.TrimLeft(line, " \t"); len(t) == 0 || t[0] != '#' {
			for j := range line {
				if line[j] != '\r' {
					line[j] = ' '
				}
			}
		}
		start = i + 1
	}
	return out
}

func (x *extractor) instruction(ins *instruction) {
	var cur *stage
	if len(x.stages) > 0 {
		cur = x.stages[len(x.stages)-1]
		if ins.cmd != "FROM" {
			cur.last = ins
		}
	}
	if !known[ins.cmd] {
		x.problem(ins.span, "unknown instruction %s", ins.cmd)
		return
	}
	if ins.args == "" && len(ins.heredocs) == 0 {
		x.problem(ins.span, "%s needs arguments", ins.cmd)
		return
	}
	if cur == nil && ins.cmd != "FROM" && ins.cmd != "ARG" {
		x.problem(ins.span, "%s before the first FROM: only ARG may come before it", ins.cmd)
		return
	}
	switch ins.cmd {
	case "FROM":
		x.from(ins)
	case "ARG":
		for _, w := range words(ins.args, x.esc) {
			name, val, has := strings.Cut(w, "=")
			switch {
			case cur == nil:
				if has {
					x.globals[name] = val
				}
			case has:
				cur.args[name], _ = expand(val, cur.lookup)
				x.secret(cur, ins, name, val)
			default:
				if v, ok := x.globals[name]; ok {
					cur.args[name] = v // a global ARG redeclared in the stage
				}
			}
		}
	case "ENV":
		x.env(cur, ins)
	case "USER":
		cur.user = ins
	case "RUN":
		x.run(cur, ins)
	case "EXPOSE":
		x.expose(cur, ins)
	case "ADD", "COPY":
		x.copy(ins)
	case "HEALTHCHECK":
		w := words(ins.args, x.esc)
		if len(w) == 1 && strings.EqualFold(w[0], "NONE") {
			cur.health = ins
			return
		}
		for _, a := range w {
			if strings.EqualFold(a, "CMD") {
				cur.health = ins
				return
			}
		}
		x.problem(ins.span, "HEALTHCHECK takes NONE or [OPTIONS] CMD command")
	}
}

// from starts a stage.
func (x *extractor) from(ins *instruction) {
	s := &stage{from: ins, last: ins, known: true, args: map[string]string{}, env: map[string]string{}}
	x.stages = append(x.stages, s)
	var ws []string
	for _, w := range words(ins.args, x.esc) {
		if !strings.HasPrefix(w, "--") {
			ws = append(ws, w)
		}
	}
	switch {
	case len(ws) == 3 && strings.EqualFold(ws[1], "AS"):
		s.name = ws[2]
	case len(ws) != 1:
		x.problem(ins.span, "FROM takes an image and an optional AS name: FROM image[:tag] [AS name]")
		if len(ws) == 0 {
			return
		}
	}
	s.image, s.known = expand(ws[0], func(n string) (string, bool) { v, ok := x.globals[n]; return v, ok })
	for _, p := range x.stages[:len(x.stages)-1] {
		if p.name != "" && strings.EqualFold(p.name, s.image) {
			s.parent = p
			for k, v := range p.env {
				s.env[k] = v
			}
		}
	}
}

// env reads ENV KEY=value … or the legacy ENV KEY value.
func (x *extractor) env(s *stage, ins *instruction) {
	ws := words(ins.args, x.esc)
	if len(ws) == 0 {
		return
	}
	if !strings.Contains(ws[0], "=") {
		if len(ws) < 2 {
			x.problem(ins.span, "ENV needs a value: ENV %s=value", ws[0])
			return
		}
		val := strings.Join(ws[1:], " ")
		s.env[ws[0]], _ = expand(val, s.lookup)
		x.secret(s, ins, ws[0], val)
		return
	}
	for _, w := range ws {
		name, val, ok := strings.Cut(w, "=")
		if !ok || name == "" {
			x.problem(ins.span, "ENV: %q is not KEY=value", w)
			continue
		}
		s.env[name], _ = expand(val, s.lookup)
		x.secret(s, ins, name, val)
	}
}

// secret records the first ENV or ARG of a stage that holds a literal secret.
func (x *extractor) secret(s *stage, ins *instruction, name, val string) {
	if s.secret == nil && val != "" && !strings.Contains(val, "$") && container.SecretName(name) {
		s.secret, s.secVar = ins, name
	}
}

func (x *extractor) expose(s *stage, ins *instruction) {
	if s.expose == nil {
		s.expose = ins
	}
	for _, w := range words(ins.args, x.esc) {
		v, ok := expand(w, s.lookup)
		if !ok {
			continue // a port from a build argument without a default
		}
		p, _, _ := strings.Cut(v, "/")
		p, _, _ = strings.Cut(p, "-")
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n <= 0 || n > 65535 {
			x.problem(ins.span, "EXPOSE: %q is not a port (PORT[/tcp|/udp])", w)
			continue
		}
		s.ports = append(s.ports, n)
	}
}

// copy checks ADD and COPY and records an ADD of a remote URL.
func (x *extractor) copy(ins *instruction) {
	args := ins.exec
	checksum := false // ADD --checksum=sha256:… verifies what it fetches
	if args == nil {
		for _, w := range words(ins.args, x.esc) {
			if !strings.HasPrefix(w, "--") {
				args = append(args, w)
			}
			checksum = checksum || strings.HasPrefix(w, "--checksum=")
		}
	}
	if len(args) < 2 && len(ins.heredocs) == 0 {
		x.problem(ins.span, "%s needs a source and a destination", ins.cmd)
		return
	}
	if ins.cmd != "ADD" || x.remote != nil || checksum {
		return
	}
	for _, src := range args[:len(args)-1] {
		l := strings.ToLower(src)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			x.remote, x.remoteURL = ins, src
			return
		}
	}
}

// element builds the component of the image the last stage makes.
func (x *extractor) element(all []*instruction) *model.Element {
	last := x.stages[len(x.stages)-1]
	name := x.file
	if !model.IsURI(x.file) {
		name = path.Clean(x.file)
	}
	el := &model.Element{ID: Name + ":" + x.file, Kind: model.Component, Type: "dockerfile", Name: name,
		Span: model.Span{File: x.file, Start: all[0].span.Start, End: all[len(all)-1].span.End},
		Head: x.firstLine(last.from.span)}
	if !model.IsURI(x.file) {
		// A compose build: names a directory, whose Dockerfile (or Containerfile) it builds; a
		// Dockerfile of another name (Dockerfile.debug) is built only when named itself.
		dir := path.Dir(x.file)
		if base := path.Base(x.file); base != "Dockerfile" && base != "Containerfile" {
			dir = x.file
		}
		el.Aliases = []string{model.BuildAlias(dir)}
	}
	el.Set("platform", "container", el.Head)
	el.Set("built_here", true, el.Head)

	root := last
	for root.parent != nil {
		root = root.parent
	}
	at := x.firstLine(root.from.span)
	switch {
	case !root.known:
		el.SetUnknown("base_image", at, "the image comes from a build argument without a default")
		el.SetUnknown("image_pinned", at, "the image comes from a build argument without a default")
	case root.image == "":
	default:
		el.Set("base_image", root.image, at)
		if pinned, known, note := container.ImagePinned(root.image); known {
			el.SetNote("image_pinned", pinned, at, note)
		} else {
			el.SetUnknown("image_pinned", at, note)
		}
	}

	var user, expose, health, secret *instruction
	var ports []any
	var secVar string
	var userStage *stage
	for s := last; s != nil; s = s.parent {
		if user == nil && s.user != nil {
			user, userStage = s.user, s
		}
		if expose == nil {
			expose = s.expose
		}
		ports = append(append([]any(nil), s.ports...), ports...)
		if health == nil {
			health = s.health
		}
		if secret == nil {
			secret, secVar = s.secret, s.secVar
		}
	}

	switch {
	case user != nil:
		u, ok := expand(firstWord(user.args, x.esc), userStage.lookup)
		name, _, _ := strings.Cut(u, ":")
		if ok {
			el.Set("runs_as_root", name == "root" || name == "0", x.firstLine(user.span))
		} else {
			el.SetUnknown("runs_as_root", x.firstLine(user.span), "USER comes from a build argument without a default")
		}
	case strings.Contains(root.image, "nonroot"):
		el.Default("runs_as_root", false, "no USER: the base image "+root.image+" runs as a non-root user")
	default:
		el.Default("runs_as_root", true, "no USER: the container runs as root")
	}

	if expose != nil {
		if ports == nil {
			ports = []any{}
		}
		el.Set("exposed_ports", ports, x.firstLine(expose.span))
	} else {
		el.Default("exposed_ports", []any{}, "no EXPOSE")
	}

	if secret != nil {
		el.SetNote("secrets_in_env", true, x.firstLine(secret.span), secVar+" holds a literal value, kept in the image")
	} else {
		el.Default("secrets_in_env", false, "no secret-looking ENV or ARG holds a literal value")
	}

	if x.remote != nil {
		el.SetNote("add_remote", true, x.firstLine(x.remote.span), "ADD fetches "+x.remoteURL+" at build time, unverified")
	} else {
		el.Default("add_remote", false, "no ADD of a remote URL")
	}

	x.runAttrs(el, last)

	if health != nil {
		el.Set("healthcheck", !strings.EqualFold(firstWord(health.args, x.esc), "NONE"), x.firstLine(health.span))
	} else {
		el.Default("healthcheck", false, "no HEALTHCHECK")
	}
	return el
}

// firstWord returns the first word of args, or "".
func firstWord(args string, esc byte) string {
	if w := words(args, esc); len(w) > 0 {
		return w[0]
	}
	return ""
}

// firstLine returns the part of sp on its first line.
func (x *extractor) firstLine(sp model.Span) model.Span {
	if sp.End.Line == sp.Start.Line {
		return sp
	}
	end := sp.Start.Offset
	for int(end) < len(x.src) && x.src[end] != '\n' && x.src[end] != '\r' {
		end++
	}
	sp.End = model.Pos{Offset: end, Line: sp.Start.Line, Col: sp.Start.Col + end - sp.Start.Offset}
	return sp
}

// expand substitutes $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt} in s; ok is false when a
// variable has no value.
func expand(s string, lookup func(string) (string, bool)) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	var b strings.Builder
	ok := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch {
		case s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				b.WriteString(s[i:])
				return b.String(), false
			}
			expr := s[i+2 : i+j]
			i += j
			name, mod, word := expr, "", ""
			if k := strings.Index(expr, ":"); k >= 0 && k+1 < len(expr) {
				name, mod, word = expr[:k], expr[k:k+2], expr[k+2:]
			}
			v, set := lookup(name)
			switch mod {
			case ":-":
				if v == "" {
					v, set = word, true
				}
			case ":+":
				if set && v != "" {
					v = word
				}
				set = true
			}
			ok = ok && set
			b.WriteString(v)
		case isNameByte(s[i+1], true):
			j := i + 1
			for j < len(s) && isNameByte(s[j], false) {
				j++
			}
			v, set := lookup(s[i+1 : j])
			ok = ok && set
			b.WriteString(v)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ok
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}
