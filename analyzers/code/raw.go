package code

import (
	"strings"

	"github.com/threatls/threatls/model"
)

// Raw is what Extract reads from one source file: plain data, immutable once returned, that
// Link groups into services. Nothing in it refers to the tree.
type Raw struct {
	Language string // the language's packs: go, python…
	// Main is a program entry point (func main, a main guard, static void Main); Servers
	// the calls that start a server or an application. Either makes the file's directory a
	// service.
	Main    *model.Span
	Servers []Mark
	// Package is the file's Go package path as imported by others, when its directory is
	// the end of an import path of the workspace; Imports the modules the file imports.
	Imports    []string
	Frameworks []string
	Entries    []Entry
	Flows      []Flow
	Configs    []Config
	Controls   []Control
	// Middleware installed on a receiver, and definitions carrying auth markers (by name):
	// routes elsewhere that name them as handlers are authenticated.
	Middleware []Middleware
	Handlers   []Handler
	// Anonymous are path patterns a security configuration lets in without authentication.
	Anonymous []Pattern
	// Mounts are the path prefixes under which routes of other files are mounted:
	// app.use('/products', require('./routes/products')).
	Mounts []Mount
	// Args are the addresses calls pass to functions by name: Link follows a flow whose
	// address is a parameter (Flow.Param) to them.
	Args []CallArg
	// Taint is what the taint engine read: the summaries of the file's functions.
	Taint *TaintFacts
}

// Mark is a place that says something, with the framework that says it.
type Mark struct {
	Span      model.Span
	Framework string
}

// Auth is what the engine found of an entry's authentication: true, false (an explicit
// anonymous marker), or unset (nothing says: the framework's default, none).
type Auth struct {
	Set   bool
	Value bool
	Span  model.Span
	Note  string
}

// Entry is an entry point: an HTTP route, an RPC service, an MCP tool.
type Entry struct {
	Method    string // GET, POST…, "*" for any; "" for RPC
	Path      string // /users/{id}; the service name for RPC
	Handler   string // the handler's name, when it has one
	Protocol  string // http, grpc, mcp
	Type      string // route, rpc, tool
	Framework string
	Span      model.Span // the registration: the call, or the annotated definition's head
	Auth      Auth
	// Receiver is what the route is registered on (app, router), for middleware installed
	// on it; Offset orders it after middleware.
	Receiver string
	Offset   int
}

// Flow is a call to something outside the service.
type Flow struct {
	Kind       string // outbound, store, llm
	Client     string // the qualified callee: requests.get
	Framework  string
	Protocol   string
	Technology string // store: postgres, redis…; llm: the provider
	Category   string // store: database, cache, queue, bucket, search
	Provider   string // llm
	// To is the endpoint: model.Ref(alias), "actor:host", model.EnvRef(name, fallback), or
	// "" when the call names nothing the engine can tell (a store then stands alone).
	To   string
	Host string // the host, when written
	Env  string // the configuration name the address comes from
	// Param is the parameter of the enclosing function the address is, when the call's
	// argument is one: the function's callers say where it leads.
	Param *ParamRef
	// Key groups the calls of a service to one target into one flow.
	Key   string
	Port  int64
	Attrs map[string]model.Attr
	Span  model.Span
}

// Mount is a prefix given to the routes of the file Module (a path relative to the
// workspace, without extension).
type Mount struct {
	Prefix string
	Module string
}

// ParamRef is a parameter of a function: its name and position.
type ParamRef struct {
	Func  string
	Index int
	// Module are the names a call from elsewhere qualifies the function by: its package's
	// directory, its module's file name.
	Module []string
}

// CallArg is an address a call passes to a function.
type CallArg struct {
	Func string
	// Qual is what the call qualifies the function by (a package path, a module, a
	// variable's type), "" for a call of the same module: the function is the parameter's
	// only when Qual ends with one of its Module names.
	Qual    string
	Index   int
	Address Address
}

// calls reports whether the call a reaches the function of p.
func (a CallArg) calls(p ParamRef) bool {
	if a.Func != p.Func || a.Index != p.Index {
		return false
	}
	if a.Qual == "" {
		return true
	}
	last := a.Qual[strings.LastIndexAny(a.Qual, "./")+1:]
	for _, m := range p.Module {
		if m == last {
			return true
		}
	}
	return false
}

// Config is a configuration read.
type Config struct {
	Name   string
	Source string // env, property, appsettings
	Span   model.Span
}

// Control is a security property a call or a setting gives the service or its flows.
type Control struct {
	Attr  string
	Value any
	Span  model.Span
	Note  string
	// Protocol, when set, applies the control to the file's flows of that protocol too
	// (a TLS configuration next to an HTTP client).
	Protocol string
	OnFlows  bool
}

// Middleware is middleware installed on a receiver from an offset on.
type Middleware struct {
	Receiver string
	Offset   int
	Auth     Auth
}

// Handler is a definition that auth markers protect (or open): a route naming it as its
// handler inherits them.
type Handler struct {
	Name string
	Auth Auth
}

// Pattern is a path pattern with the place that writes it.
type Pattern struct {
	Path string
	Span model.Span
}
