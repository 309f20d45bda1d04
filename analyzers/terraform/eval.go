package terraform

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
)

type localVal struct {
	v    any
	via  string
	done bool
}

// unknownVal stands, inside a resolved value, for a part that cannot be known statically.
type unknownVal = cloud.Unknown

// maxResolve bounds the chain of locals followed to resolve one expression (and so cycles).
const maxResolve = 32

// resolve evaluates e as far as literals, variables (their values from .tfvars files and
// module calls, or their defaults), locals, other resources' arguments, module outputs and
// the common functions allow. The result is a model value (bool, int64, string, []any,
// map[string]any, nil) in which the parts that cannot be known are *unknownVal; via names the
// variable, local or argument the value came from.
func (m *module) resolve(e *Expr) (v any, via string) {
	return m.eval(e, 0)
}

func (m *module) eval(e *Expr, depth int) (any, string) {
	if e == nil {
		return &unknownVal{Note: "no value"}, ""
	}
	if depth > maxResolve {
		return &unknownVal{Note: "the expression refers to itself"}, ""
	}
	switch e.Kind {
	case Literal:
		if f, ok := e.Lit.(float64); ok {
			return strconv.FormatFloat(f, 'g', -1, 64), ""
		}
		return e.Lit, ""
	case Tuple:
		l := make([]any, len(e.Elems))
		for i, x := range e.Elems {
			l[i], _ = m.eval(x, depth+1)
		}
		return l, ""
	case Object:
		o := make(map[string]any, len(e.Keys))
		for i, k := range e.Keys {
			o[k], _ = m.eval(e.Elems[i], depth+1)
		}
		return o, ""
	case Template:
		return m.template(e, depth)
	case Cond:
		c, via := m.eval(e.Elems[0], depth+1)
		if b, ok := asBool(c); ok && known(c) {
			if b == true {
				v, _ := m.eval(e.Elems[1], depth+1)
				return v, via
			}
			v, _ := m.eval(e.Elems[2], depth+1)
			return v, via
		}
		u := &unknownVal{Note: fmt.Sprintf("`%s` depends on a condition known only when Terraform runs", e.Text)}
		a, _ := m.eval(e.Elems[1], depth+1)
		b, _ := m.eval(e.Elems[2], depth+1)
		u.MaybeNull = a == nil || b == nil
		if n := unknownNote(c); n != "" {
			u.Note = n
		}
		return u, via
	case Op:
		return m.operation(e, depth)
	case Call:
		return m.call(e, depth)
	case Ref:
		return m.ref(e, depth)
	}
	if u, ok := e.Lit.(*unknownVal); ok {
		return u, "" // a value bound by for_each or dynamic that is not known
	}
	if e.Text != "" {
		return &unknownVal{Note: fmt.Sprintf("`%s` is known only when Terraform runs", e.Text),
			NotStar: literalOtherThanStar(e.Text)}, ""
	}
	return &unknownVal{Note: "the value is known only when Terraform runs"}, ""
}

// template evaluates "text ${expr} text".
func (m *module) template(e *Expr, depth int) (any, string) {
	var b strings.Builder
	via := ""
	var unknown *unknownVal
	literal := false
	for _, part := range e.Elems {
		v, pv := m.eval(part, depth+1)
		if via == "" {
			via = pv
		}
		if part.Kind == Literal {
			if s, _ := part.Lit.(string); strings.Trim(s, "*") != "" {
				literal = true
			}
		}
		if s, ok := asString(v); ok && known(v) {
			b.WriteString(s.(string))
			continue
		}
		if unknown == nil {
			unknown = &unknownVal{Note: unknownNote(v)}
			if unknown.Note == "" {
				unknown.Note = fmt.Sprintf("`%s` is known only when Terraform runs", e.Text)
			}
		}
	}
	if unknown != nil {
		unknown.NotStar = literal
		return unknown, via
	}
	return b.String(), via
}

// operation evaluates an operator on known operands.
func (m *module) operation(e *Expr, depth int) (any, string) {
	vals := make([]any, len(e.Elems))
	for i, x := range e.Elems {
		vals[i], _ = m.eval(x, depth+1)
	}
	unknown := func() (any, string) {
		note := ""
		for _, v := range vals {
			if note = unknownNote(v); note != "" {
				break
			}
		}
		if note == "" {
			note = fmt.Sprintf("`%s` is known only when Terraform runs", e.Text)
		}
		return &unknownVal{Note: note}, ""
	}
	if len(vals) == 1 {
		switch e.Name {
		case "!":
			if b, ok := asBool(vals[0]); ok {
				return !b.(bool), ""
			}
		case "-":
			if n, ok := asInt(vals[0]); ok {
				return -n.(int64), ""
			}
		}
		return unknown()
	}
	a, b := vals[0], vals[1]
	switch e.Name {
	case "&&", "||":
		x, okx := asBool(a)
		y, oky := asBool(b)
		and := e.Name == "&&"
		switch {
		case okx && x.(bool) != and:
			return x, "" // false && …, true || …
		case oky && y.(bool) != and:
			return y, ""
		case okx && oky:
			return and, ""
		}
		return unknown()
	case "==", "!=":
		if !known(a) || !known(b) {
			return unknown()
		}
		eq := reflect.DeepEqual(a, b)
		if sa, ok := asString(a); ok {
			if sb, ok := asString(b); ok {
				eq = sa == sb
			}
		}
		return eq == (e.Name == "=="), ""
	}
	x, okx := asInt(a)
	y, oky := asInt(b)
	if !okx || !oky {
		return unknown()
	}
	i, j := x.(int64), y.(int64)
	switch e.Name {
	case "<":
		return i < j, ""
	case ">":
		return i > j, ""
	case "<=":
		return i <= j, ""
	case ">=":
		return i >= j, ""
	case "+":
		return i + j, ""
	case "-":
		return i - j, ""
	case "*":
		return i * j, ""
	case "/":
		if j != 0 {
			return i / j, ""
		}
	case "%":
		if j != 0 {
			return i % j, ""
		}
	}
	return unknown()
}

// ref evaluates a reference: a variable, a local, a module's output, another resource's
// argument; what Terraform computes (IDs, ARNs) is unknown.
func (m *module) ref(e *Expr, depth int) (any, string) {
	if len(e.Path) < 2 {
		return &unknownVal{Note: fmt.Sprintf("%s is computed", e.RefString())}, ""
	}
	name := e.Path[0] + "." + e.Path[1]
	var v any
	var via string
	rest := 2
	switch e.Path[0] {
	case "var":
		if _, ok := m.vars[e.Path[1]]; !ok {
			return &unknownVal{Note: name + " is not declared", MaybeNull: true}, name
		}
		v, via = m.memo(name, depth, func() (any, string) { return m.varValue(e.Path[1], depth) })
	case "local":
		a, ok := m.locals[e.Path[1]]
		if !ok {
			return &unknownVal{Note: name + " is not defined"}, name
		}
		v, via = m.memo(name, depth, func() (any, string) {
			x, _ := m.eval(a.Expr, depth+1)
			return x, name
		})
	case "module":
		if len(e.Path) < 3 {
			return &unknownVal{Note: name + " is a module: its outputs are read one by one"}, name
		}
		v, via = m.output(e.Path[1], e.Path[2], depth)
		rest = 3
	default:
		r := m.resources[name]
		if is := m.instances[name]; len(is) > 0 && len(e.Path) == 2 && len(e.Index) == 0 {
			// A resource with for_each, as a whole: a map of its instances' arguments.
			out := make(map[string]any, len(is))
			for _, in := range is {
				out[in.key] = m.blockValue(in.r.b, 0)
			}
			return out, name
		}
		if e.Path[0] == "data" || r == nil || len(e.Path) < 3 {
			return &unknownVal{Note: fmt.Sprintf("%s is known only when Terraform runs", e.RefString()),
				NotStar: e.Path[len(e.Path)-1] == "arn"}, ""
		}
		// Another resource's attribute that is one of its arguments (aws_vpc.web.cidr_block)
		// has the argument's value; what Terraform computes (id, arn) is unknown.
		a := m.attr(r.b, e.Path[2])
		if a == nil {
			return &unknownVal{Note: fmt.Sprintf("%s is known only when Terraform runs", e.RefString()),
				NotStar: e.Path[len(e.Path)-1] == "arn"}, ""
		}
		v, _ = m.memo(name+"."+e.Path[2], depth, func() (any, string) {
			x, _ := m.eval(a.Expr, depth+1)
			return x, ""
		})
		via = name + "." + e.Path[2]
		rest = 3
	}
	if u, ok := v.(*unknownVal); ok && u.Note == "" {
		return &unknownVal{Note: name + " refers to itself"}, name
	}
	// Follow the attributes and indexes that come after the name.
	for p := rest; p <= len(e.Path); p++ {
		for _, st := range e.Index {
			if st.At != p {
				continue
			}
			if e.Path[0] != "var" && e.Path[0] != "local" && e.Path[0] != "module" && p == 2 {
				continue // an instance of a resource: every instance has the same arguments
			}
			if st.Splat || st.Key == nil {
				return &unknownVal{Note: fmt.Sprintf("%s with a splat is not evaluated", e.RefString())}, via
			}
			k, _ := m.eval(st.Key, depth+1)
			var ok bool
			if v, ok = index(v, k); !ok {
				if u, isU := v.(*unknownVal); isU {
					return u, via
				}
				return &unknownVal{Note: fmt.Sprintf("%s has no element %v", name, k)}, via
			}
		}
		if p == len(e.Path) {
			break
		}
		step := e.Path[p]
		o, ok := v.(map[string]any)
		if !ok {
			if u, isU := v.(*unknownVal); isU {
				return u, via
			}
			return &unknownVal{Note: fmt.Sprintf("%s has no attribute %s", name, step)}, via
		}
		if v, ok = o[step]; !ok {
			return &unknownVal{Note: fmt.Sprintf("%s has no attribute %s", name, step)}, via
		}
	}
	return v, via
}

// memo evaluates f once per Link for key (a variable, a local, an argument of a resource):
// shared references cost nothing more, and a cycle ends as an unknown with no note.
func (m *module) memo(key string, depth int, f func() (any, string)) (any, string) {
	lv := m.localVals[key]
	switch {
	case lv == nil:
		lv = &localVal{}
		m.localVals[key] = lv
		lv.v, lv.via = f()
		lv.done = true
	case !lv.done:
		return &unknownVal{}, key
	}
	return lv.v, lv.via
}

// index returns v[k] for a list and a number or a map and a key.
func index(v, k any) (any, bool) {
	if u, ok := k.(*unknownVal); ok {
		return u, false
	}
	switch x := v.(type) {
	case []any:
		i, ok := asInt(k)
		if !ok || i.(int64) < 0 || i.(int64) >= int64(len(x)) {
			return nil, false
		}
		return x[i.(int64)], true
	case map[string]any:
		s, ok := asString(k)
		if !ok {
			return nil, false
		}
		y, ok := x[s.(string)]
		return y, ok
	case *unknownVal:
		return x, false
	}
	return nil, false
}

// literalOtherThanStar reports whether a quoted template has literal text other than "*"
// outside its interpolations, so that its value can never be exactly "*".
func literalOtherThanStar(text string) bool {
	if !strings.HasPrefix(text, `"`) || !strings.HasSuffix(text, `"`) || len(text) < 2 {
		return false
	}
	body := text[1 : len(text)-1]
	depth := 0
	for i := 0; i < len(body); i++ {
		switch {
		case depth == 0 && strings.HasPrefix(body[i:], "${"):
			depth, i = 1, i+1
		case depth > 0 && body[i] == '{':
			depth++
		case depth > 0 && body[i] == '}':
			depth--
		case depth == 0 && body[i] != '*':
			return true
		}
	}
	return false
}

// known reports whether v holds no unknown part.
func known(v any) bool { return cloud.Known(v) }

// unknownNote returns the note of the first unknown part of v.
func unknownNote(v any) string { return cloud.UnknownNote(v) }

// call evaluates the functions whose result a reader can compute: string, collection and
// encoding functions, and cidrsubnet. Others (file, timestamp, uuid, …) are unknown.
func (m *module) call(e *Expr, depth int) (any, string) {
	args := make([]any, len(e.Elems))
	via := ""
	for i, x := range e.Elems {
		var v string
		args[i], v = m.eval(x, depth+1)
		if via == "" {
			via = v
		}
	}
	unknown := func(why string) (any, string) {
		for _, a := range args {
			if n := unknownNote(a); n != "" {
				return &unknownVal{Note: n}, via
			}
		}
		if why == "" {
			why = fmt.Sprintf("`%s` is known only when Terraform runs", e.Text)
		}
		return &unknownVal{Note: why}, via
	}
	switch e.Name {
	case "try":
		for _, a := range args {
			if known(a) {
				return a, via
			}
		}
		return unknown("")
	case "coalesce":
		for _, a := range args {
			if !known(a) {
				return unknown("")
			}
			if s, ok := a.(string); a != nil && (!ok || s != "") {
				return a, via
			}
		}
		return unknown("coalesce has no argument that is set")
	case "lookup":
		if len(args) < 2 {
			return unknown("")
		}
		mp, ok := args[0].(map[string]any)
		k, kok := asString(args[1])
		if ok && kok && known(args[1]) {
			if v, found := mp[k.(string)]; found {
				return v, via
			}
			if len(args) == 3 {
				return args[2], via
			}
		}
		return unknown("")
	}
	for _, a := range args {
		if !known(a) {
			return unknown("")
		}
	}
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		s, ok := asString(args[i])
		if !ok {
			return "", false
		}
		return s.(string), true
	}
	switch e.Name {
	case "format":
		f, ok := str(0)
		if !ok {
			return unknown("")
		}
		return fmt.Sprintf(f, args[1:]...), via
	case "join":
		sep, ok := str(0)
		if !ok || len(args) < 2 {
			return unknown("")
		}
		var parts []string
		for _, a := range args[1:] {
			l, ok := a.([]any)
			if !ok {
				return unknown("")
			}
			for _, x := range l {
				s, ok := asString(x)
				if !ok {
					return unknown("")
				}
				parts = append(parts, s.(string))
			}
		}
		return strings.Join(parts, sep), via
	case "split":
		sep, ok1 := str(0)
		s, ok2 := str(1)
		if !ok1 || !ok2 {
			return unknown("")
		}
		var out []any
		for _, p := range strings.Split(s, sep) {
			out = append(out, p)
		}
		return out, via
	case "lower", "upper", "trimspace", "tostring", "title":
		s, ok := str(0)
		if !ok {
			return unknown("")
		}
		switch e.Name {
		case "lower":
			s = strings.ToLower(s)
		case "upper":
			s = strings.ToUpper(s)
		case "trimspace":
			s = strings.TrimSpace(s)
		}
		return s, via
	case "replace":
		s, ok1 := str(0)
		old, ok2 := str(1)
		nw, ok3 := str(2)
		if !ok1 || !ok2 || !ok3 || strings.HasPrefix(old, "/") {
			return unknown("")
		}
		return strings.ReplaceAll(s, old, nw), via
	case "tonumber":
		if n, ok := asInt(args[0]); ok {
			return n, via
		}
	case "tobool":
		if b, ok := asBool(args[0]); ok {
			return b, via
		}
	case "tomap":
		return args[0], via
	case "merge":
		out := map[string]any{}
		for _, a := range args {
			mp, ok := a.(map[string]any)
			if !ok && a != nil {
				return unknown("")
			}
			for k, v := range mp {
				out[k] = v
			}
		}
		return out, via
	case "concat":
		out := []any{}
		for _, a := range args {
			l, ok := a.([]any)
			if !ok {
				return unknown("")
			}
			out = append(out, l...)
		}
		return out, via
	case "flatten":
		var flat func(v any) []any
		flat = func(v any) []any {
			l, ok := v.([]any)
			if !ok {
				return []any{v}
			}
			var out []any
			for _, x := range l {
				out = append(out, flat(x)...)
			}
			return out
		}
		if len(args) == 1 {
			return flat(args[0]), via
		}
	case "compact", "distinct":
		l, ok := args[0].([]any)
		if !ok {
			return unknown("")
		}
		out := []any{}
		for _, x := range l {
			if e.Name == "compact" && (x == nil || x == "") {
				continue
			}
			dup := false
			for _, y := range out {
				dup = dup || reflect.DeepEqual(x, y)
			}
			if e.Name == "compact" || !dup {
				out = append(out, x)
			}
		}
		return out, via
	case "element":
		l, ok := args[0].([]any)
		i, iok := asInt(args[1])
		if ok && iok && len(l) > 0 {
			return l[int(i.(int64))%len(l)], via
		}
	case "length":
		switch x := args[0].(type) {
		case []any:
			return int64(len(x)), via
		case map[string]any:
			return int64(len(x)), via
		case string:
			return int64(len([]rune(x))), via
		}
	case "contains":
		l, ok := args[0].([]any)
		if ok {
			for _, x := range l {
				if reflect.DeepEqual(x, args[1]) {
					return true, via
				}
			}
			return false, via
		}
	case "keys", "values":
		mp, ok := args[0].(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(mp))
		for k := range mp {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			if e.Name == "keys" {
				out[i] = k
			} else {
				out[i] = mp[k]
			}
		}
		return out, via
	case "jsondecode":
		if s, ok := str(0); ok {
			var v any
			if json.Unmarshal([]byte(s), &v) == nil {
				return cloud.FromJSON(v), via
			}
		}
	case "cidrsubnet":
		base, ok := str(0)
		bits, ok1 := asInt(args[1])
		num, ok2 := asInt(args[2])
		if ok && ok1 && ok2 {
			if s, err := cidrSubnet(base, int(bits.(int64)), num.(int64)); err == nil {
				return s, via
			}
		}
	}
	return unknown("")
}

// cidrSubnet computes Terraform's cidrsubnet(base, newbits, netnum).
func cidrSubnet(base string, newbits int, num int64) (string, error) {
	p, err := netip.ParsePrefix(base)
	if err != nil {
		return "", err
	}
	p = p.Masked()
	bitsLen := p.Addr().BitLen()
	size := p.Bits() + newbits
	if newbits < 0 || size > bitsLen || num < 0 || newbits < 63 && num >= int64(1)<<newbits {
		return "", fmt.Errorf("cidrsubnet out of range")
	}
	n := new(big.Int).SetBytes(p.Addr().AsSlice())
	n.Add(n, new(big.Int).Lsh(big.NewInt(num), uint(bitsLen-size)))
	b := n.FillBytes(make([]byte, bitsLen/8))
	addr, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(addr, size).String(), nil
}
