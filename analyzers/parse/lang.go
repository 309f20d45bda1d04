// Package parse is the only package that imports tree-sitter. It holds the registry of
// languages (each grammar's own Go binding, pinned in go.mod), pools of parsers, and trees that
// can be edited and reparsed incrementally.
//
// Discipline, because nothing in tree-sitter has a finalizer and its C code is not goroutine
// safe: every Parser, Tree, TreeCursor and Query is closed exactly once; a Parser is used by
// one goroutine at a time (the pool hands each out to one caller); nodes never outlive their
// tree and never leave the analyzers.
package parse

import (
	"fmt"
	"sync"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"

	hcl "github.com/tree-sitter-grammars/tree-sitter-hcl/bindings/go"
	markdown "github.com/tree-sitter-grammars/tree-sitter-markdown/bindings/go"
	yaml "github.com/tree-sitter-grammars/tree-sitter-yaml/bindings/go"
	csharp "github.com/tree-sitter/tree-sitter-c-sharp/bindings/go"
	golang "github.com/tree-sitter/tree-sitter-go/bindings/go"
	java "github.com/tree-sitter/tree-sitter-java/bindings/go"
	javascript "github.com/tree-sitter/tree-sitter-javascript/bindings/go"
	json "github.com/tree-sitter/tree-sitter-json/bindings/go"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
	typescript "github.com/tree-sitter/tree-sitter-typescript/bindings/go"
)

// Node is a tree-sitter node. It is valid only while its Tree is open.
type Node = sitter.Node

// Point is a tree-sitter position: zero-based row and byte column.
type Point = sitter.Point

// Lang names a grammar linked into the binary.
type Lang string

// The languages linked into the binary. Later analyzers only add extractors.
const (
	HCL            Lang = "hcl"
	YAML           Lang = "yaml"
	JSON           Lang = "json"
	Markdown       Lang = "markdown"
	MarkdownInline Lang = "markdown_inline"
	Go             Lang = "go"
	Python         Lang = "python"
	JavaScript     Lang = "javascript"
	TypeScript     Lang = "typescript"
	TSX            Lang = "tsx"
	Java           Lang = "java"
	CSharp         Lang = "c_sharp"
	// Plain is text without a grammar: formats read by a library or a small parser of their
	// own (Dockerfiles; YAML documents decoded one at a time). Its trees have no nodes.
	Plain Lang = "plain"
)

var bindings = map[Lang]func() unsafe.Pointer{
	HCL:            hcl.Language,
	YAML:           yaml.Language,
	JSON:           json.Language,
	Markdown:       markdown.Language,
	MarkdownInline: markdown.InlineLanguage,
	Go:             golang.Language,
	Python:         python.Language,
	JavaScript:     javascript.Language,
	TypeScript:     typescript.LanguageTypescript,
	TSX:            typescript.LanguageTSX,
	Java:           java.Language,
	CSharp:         csharp.Language,
}

// Langs returns every linked language.
func Langs() []Lang {
	return []Lang{HCL, YAML, JSON, Markdown, MarkdownInline, Go, Python, JavaScript, TypeScript, TSX, Java, CSharp}
}

var (
	languagesMu sync.Mutex
	languages   = map[Lang]*sitter.Language{}
)

func (l Lang) language() (*sitter.Language, error) {
	languagesMu.Lock()
	defer languagesMu.Unlock()
	if tl, ok := languages[l]; ok {
		return tl, nil
	}
	b, ok := bindings[l]
	if !ok {
		return nil, fmt.Errorf("parse: no grammar for language %q", l)
	}
	tl := sitter.NewLanguage(b())
	languages[l] = tl
	return tl, nil
}

// poolSize bounds how many idle parsers each language keeps; more are created on demand and
// closed when returned to a full pool.
const poolSize = 8

var (
	poolsMu sync.Mutex
	pools   = map[Lang]chan *sitter.Parser{}
)

func pool(l Lang) chan *sitter.Parser {
	poolsMu.Lock()
	defer poolsMu.Unlock()
	p, ok := pools[l]
	if !ok {
		p = make(chan *sitter.Parser, poolSize)
		pools[l] = p
	}
	return p
}

// getParser hands out a parser for l that belongs to the caller until putParser.
func getParser(l Lang) (*sitter.Parser, error) {
	select {
	case p := <-pool(l):
		return p, nil
	default:
	}
	tl, err := l.language()
	if err != nil {
		return nil, err
	}
	p := sitter.NewParser()
	if err := p.SetLanguage(tl); err != nil {
		p.Close()
		return nil, fmt.Errorf("parse: load %s grammar: %w", l, err)
	}
	return p, nil
}

func putParser(l Lang, p *sitter.Parser) {
	p.Reset()
	select {
	case pool(l) <- p:
	default:
		p.Close()
	}
}
