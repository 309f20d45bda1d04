package threatls_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/threatls/threatls/"

// TestLayers guards the import rules that keep data flowing one way (DESIGN.md): only
// analyzers/parse imports tree-sitter, only lsp imports the protocol library, only the
// command line imports git's ignore rules and globs, the model imports nothing of ours,
// analyzers know nothing of the library or the outputs, the library knows nothing of file
// formats, and the resource mapping (data both read) knows only the model. Only ai imports
// the OpenAI client and net/http — nothing else in threatls opens a connection — and ai sits
// above engine, below lsp and the command. Test files may cross layers.
func TestLayers(t *testing.T) {
	type rule struct {
		pkg    string // package directory prefix the rule applies to ("" = all)
		except string // package directory exempt from the rule
		banned string // import path prefix
	}
	rules := []rule{
		{"", "analyzers/parse", "github.com/tree-sitter/"},
		{"", "analyzers/parse", "github.com/tree-sitter-grammars/"},
		{"", "lsp", "go.lsp.dev/"},
		{"", "ai", "github.com/sashabaranov/go-openai"},
		{"", "ai", "net/http"},
		{"", "ai", "net/rpc"},
		{"", "ai", "net/smtp"},
		// git's ignore rules and globs decide what the command line reads, and only there.
		{"", "cmd/threatls", "github.com/go-git/"},
		{"", "cmd/threatls", "github.com/bmatcuk/doublestar"},
		{"model", "", module},
		{"analyzers", "", module + "knowledge"},
		{"analyzers", "", module + "engine"},
		{"analyzers", "", module + "lsp"},
		{"analyzers", "", module + "report"},
		{"knowledge", "", module + "analyzers"},
		{"knowledge", "", module + "engine"},
		{"knowledge", "", module + "lsp"},
		{"knowledge", "", module + "report"},
		{"mapping", "", module + "analyzers"},
		{"mapping", "", module + "knowledge"},
		{"mapping", "", module + "engine"},
		{"mapping", "", module + "lsp"},
		{"mapping", "", module + "report"},
		{"engine", "", module + "lsp"},
		{"engine", "", module + "ai"},
		{"knowledge", "", module + "ai"},
		{"analyzers", "", module + "ai"},
		{"report", "", module + "ai"},
		{"ai", "", module + "lsp"},
		{"ai", "", module + "report"},
		{"ai", "", module + "cmd"},
		{"engine", "", module + "report"},
		{"report", "", module + "lsp"},
		{"report", "", module + "analyzers"},
		{"report", "", module + "engine"},
	}
	checked := 0
	openai := false // the rule on the client is not vacuous: ai does import it
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			openai = openai || dir == "ai" && p == "github.com/sashabaranov/go-openai"
			for _, r := range rules {
				if r.pkg != "" && dir != r.pkg && !strings.HasPrefix(dir, r.pkg+"/") {
					continue
				}
				if r.except != "" && (dir == r.except || strings.HasPrefix(dir, r.except+"/")) {
					continue
				}
				if strings.HasPrefix(p, r.banned) {
					t.Errorf("%s imports %s: only %s may", path, p, orElse(r.except, "other layers"))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !openai {
		t.Error("package ai does not import github.com/sashabaranov/go-openai: the rule that only it may is vacuous")
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: is the test running from the module root?", checked)
	}
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// TestRawThroughRawFacts guards the engine's letting go of syntax (engine/cool.go): an
// analyzer reads the Raw of facts through FileFacts.RawFacts, which extracts it again when it
// was let go; a direct read of .Raw would see nil. Extract may set it.
func TestRawThroughRawFacts(t *testing.T) {
	err := filepath.WalkDir("analyzers", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.Contains(p, "testdata") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.AssignStmt:
				// ff.Raw = …: setting it is Extract's job; skip the left-hand side.
				for _, r := range x.Rhs {
					ast.Inspect(r, func(n ast.Node) bool { checkRaw(t, p, n); return true })
				}
				return false
			default:
				checkRaw(t, p, n)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkRaw(t *testing.T, file string, n ast.Node) {
	t.Helper()
	if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Raw" {
		t.Errorf("%s: reads .Raw directly; read it with RawFacts(), which extracts the syntax again when the engine let it go", file)
	}
}
