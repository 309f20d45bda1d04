package code

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/threatls/threatls/analyzers/parse"
)

// FlowSyntax maps the statements of a grammar to what the taint engine needs of them: where
// values are assigned, where control branches, loops, returns and ends, so that one engine
// follows data through every language (lang.yaml's `flow:`).
type FlowSyntax struct {
	// Functions are definitions beside Syntax.Defs whose bodies are analysed on their own:
	// lambdas, function literals and expressions (their parameters, their body).
	Functions map[string]DefShape `yaml:"functions"`
	// Params are the nodes of a parameter list: the name and type fields of each (a
	// parameter without a name field names itself, or its first identifier does).
	Params map[string]ParamShape `yaml:"params"`
	// Assign are assignments and declarations with a value: left ← right. An operator other
	// than = or := between them (+=, |=) adds to what the left holds instead of replacing it.
	Assign map[string]AssignShape `yaml:"assign"`
	// Ifs are conditionals: a condition, a branch taken when it holds, an alternative (an
	// else block, an elif or else clause: a clause with a condition is an if of its own).
	Ifs map[string]IfShape `yaml:"ifs"`
	// Loops run their body zero or more times; Var takes the items of Iter.
	Loops map[string]LoopShape `yaml:"loops"`
	// Branches are statements whose parts run one of them (switch cases, try and catch):
	// each part starts from the state before the statement, and the states join after.
	Branches []string `yaml:"branches"`
	// Blocks are statement lists: run in order.
	Blocks []string `yaml:"blocks"`
	// Returns give the function's value (their first named child); Exits end a branch
	// (return, throw, raise, panic's statement).
	Returns []string `yaml:"returns"`
	Exits   []string `yaml:"exits"`
	// ExitCalls are calls that never return (abort, panic, os.Exit, sys.exit), by the last
	// name of the callee.
	ExitCalls []string `yaml:"exit_calls"`
	// Booleans are expressions whose value is a truth value (comparisons, not): untainted.
	// CompareOps are the operators of binary expressions that make one.
	Booleans   []string `yaml:"booleans"`
	CompareOps []string `yaml:"compare_ops"`
	// Subscripts are indexing expressions: the object's taint (collections are coarse).
	Subscripts map[string]Shape `yaml:"subscripts"`
	// Ternaries are conditional expressions: the condition (Key) is left out of the value.
	Ternaries map[string]Shape `yaml:"ternaries"`
	// Negations are the operators and node kinds of "not" in a condition.
	Negations []string `yaml:"negations"`
	// Mutators are method names that put their arguments into what they are called on:
	// builders and collections (append, add, put, WriteString).
	Mutators []string `yaml:"mutators"`
	// SafeTypes are parameter types that carry no text an attacker could shape (numbers,
	// booleans, UUIDs, the framework's own objects): a handler's parameter of one is no
	// source.
	SafeTypes []string `yaml:"safe_types"`
	// Receivers are the names a method's receiver goes by (self, this) when the language
	// has them; a Go method's receiver is read from its declaration.
	Receivers []string `yaml:"receivers"`
	// Receiver is the field of a method declaration holding its receiver (Go).
	Receiver string `yaml:"receiver"`
	// Library are regular expressions on qualified callees that are libraries' (the
	// standard library, bare npm packages): no function of the workspace is behind them,
	// and their value is what their arguments and receiver are.
	Library []string `yaml:"library"`

	libRE *regexp.Regexp
}

// libraryFunc returns the test of Library.
func (l *Language) libraryFunc() func(string) bool {
	re := l.Flow.libRE
	if re == nil {
		return nil
	}
	return re.MatchString
}

// ParamShape names the parts of a parameter node.
type ParamShape struct {
	Name    string `yaml:"name"`
	Type    string `yaml:"type"`
	Default string `yaml:"default"`
}

// AssignShape names the two sides of an assignment.
type AssignShape struct {
	Left  string `yaml:"left"`
	Right string `yaml:"right"`
}

// IfShape names the parts of a conditional.
type IfShape struct {
	Init      string `yaml:"init"`
	Condition string `yaml:"condition"`
	Then      string `yaml:"then"`
	Else      string `yaml:"else"`
}

// LoopShape names the parts of a loop.
type LoopShape struct {
	Var  string `yaml:"var"`
	Iter string `yaml:"iter"`
	Body string `yaml:"body"`
}

// role is what a node kind is to the taint engine.
type role uint8

const (
	rNone role = iota
	rFunc
	rAssign
	rIf
	rLoop
	rBranch
	rBlock
	rReturn
	rExit
	rBool
	rSubscript
	rTernary
	rString
	rLambda
	rClass
	rComment
)

// roles is the role of every symbol of one grammar, read by Flat symbol.
type roles struct {
	bySym []role
}

var roleCache sync.Map // roleKey → *roles

type roleKey struct {
	l *Language
	g parse.Lang
}

// rolesOf returns the role table of the flat tree's grammar.
func (l *Language) rolesOf(g parse.Lang, flat *parse.Flat) *roles {
	if v, ok := roleCache.Load(roleKey{l, g}); ok {
		rs := v.(*roles)
		if len(rs.bySym) >= flat.Symbols() {
			return rs
		}
	}
	byKind := l.roleByKind()
	rs := &roles{bySym: make([]role, flat.Symbols())}
	for i := range rs.bySym {
		rs.bySym[i] = byKind[flat.SymbolName(uint16(i))]
	}
	roleCache.Store(roleKey{l, g}, rs)
	return rs
}

func (l *Language) roleByKind() map[string]role {
	fs := &l.Flow
	m := map[string]role{}
	set := func(r role, kinds ...string) {
		for _, k := range kinds {
			if _, ok := m[k]; !ok {
				m[k] = r
			}
		}
	}
	for k, d := range l.Syntax.Defs {
		switch d.Role {
		case "function":
			set(rFunc, k)
		case "class":
			set(rClass, k)
		}
	}
	for k := range fs.Functions {
		set(rLambda, k)
	}
	set(rComment, l.Syntax.Comments...)
	set(rString, l.Syntax.Strings...)
	set(rExit, fs.Exits...)
	set(rReturn, fs.Returns...)
	for k := range fs.Assign {
		set(rAssign, k)
	}
	for k := range fs.Ifs {
		set(rIf, k)
	}
	for k := range fs.Loops {
		set(rLoop, k)
	}
	set(rBranch, fs.Branches...)
	set(rBlock, fs.Blocks...)
	set(rBool, fs.Booleans...)
	for k := range fs.Subscripts {
		set(rSubscript, k)
	}
	for k := range fs.Ternaries {
		set(rTernary, k)
	}
	for k := range l.Syntax.Lambdas {
		set(rLambda, k)
	}
	return m
}

// defShape returns the shape of a function definition node: Syntax.Defs or Flow.Functions.
func (l *Language) defShape(kind string) (DefShape, bool) {
	if d, ok := l.Syntax.Defs[kind]; ok && d.Role == "function" {
		return d, true
	}
	d, ok := l.Flow.Functions[kind]
	return d, ok
}

// checkFlow validates the flow section: every kind it names is a kind the language's
// syntax section or its grammar could hold (checked against the grammar by a test).
func (fs *FlowSyntax) kinds() []string {
	var out []string
	for k := range fs.Functions {
		out = append(out, k)
	}
	for k := range fs.Params {
		out = append(out, k)
	}
	for k := range fs.Assign {
		out = append(out, k)
	}
	for k := range fs.Ifs {
		out = append(out, k)
	}
	for k := range fs.Loops {
		out = append(out, k)
	}
	for k := range fs.Subscripts {
		out = append(out, k)
	}
	for k := range fs.Ternaries {
		out = append(out, k)
	}
	out = append(out, fs.Branches...)
	out = append(out, fs.Blocks...)
	out = append(out, fs.Returns...)
	out = append(out, fs.Exits...)
	out = append(out, fs.Booleans...)
	sort.Strings(out)
	return out
}

// CheckKinds reports the node kinds of the flow section that grammar g does not have: a
// test calls it, since a misspelt kind would silently never match.
func (l *Language) CheckKinds(g parse.Lang, known func(kind string) bool) error {
	var bad []string
	for _, k := range l.Flow.kinds() {
		if !known(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s/lang.yaml flow: kinds %s are not in the %s grammar", l.Name, strings.Join(bad, ", "), g)
	}
	return nil
}
