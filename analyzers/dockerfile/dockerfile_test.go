package dockerfile_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/dockerfile"
	"github.com/threatls/threatls/model"
)

// elementID maps "." (the Dockerfile holding the comment) or a path to its element's ID.
func elementID(file, name string) string {
	if name == "." {
		name = file
	}
	return "dockerfile:" + name
}

func TestWorkspaces(t *testing.T) {
	analyzertest.Run(t, dockerfile.New(), filepath.Join("testdata", "src"), elementID)
}

func TestMatch(t *testing.T) {
	a := dockerfile.New()
	for p, want := range map[string]bool{
		"Dockerfile":               true,
		"api/Dockerfile":           true,
		"api/Dockerfile.prod":      true,
		"Containerfile":            true,
		"build/api.dockerfile":     true,
		"build/api.Dockerfile":     true,
		"Dockerfile.dockerignore":  false,
		".dockerignore":            false,
		"Dockerfile.":              false,
		".dockerfile":              false,
		"dockerfile":               false,
		"docs/Dockerfile-guide.md": false,
		"compose.yaml":             false,
	} {
		if got := a.Match(p, ""); got != want {
			t.Errorf("Match(%q) = %v, want %v", p, got, want)
		}
	}
	if !a.Match("untitled:Untitled-1", "dockerfile") {
		t.Error("the dockerfile language is not matched")
	}
}

// The element carries the build alias of its directory (what a compose build: names) and is
// what Link returns, unchanged.
func TestElement(t *testing.T) {
	a := dockerfile.New()
	facts, _ := analyzertest.Workspace(t, a, filepath.Join("testdata", "src", "shop"))
	out := a.Link(facts)
	if len(out) != len(facts) {
		t.Fatalf("%d elements for %d Dockerfiles", len(out), len(facts))
	}
	for i, e := range out {
		if e != facts[i].Elements[0] {
			t.Errorf("Link did not return %s itself", e.ID)
		}
	}
	api := out[0]
	if api.ID != "dockerfile:api/Dockerfile" || api.Name != "api/Dockerfile" || api.Type != "dockerfile" ||
		!reflect.DeepEqual(api.Aliases, []string{"build:api"}) {
		t.Errorf("api = %s %s %s %v", api.ID, api.Name, api.Type, api.Aliases)
	}
	src, _ := os.ReadFile(filepath.Join("testdata", "src", "shop", "api", "Dockerfile"))
	if got := string(src[api.Head.Start.Offset:api.Head.End.Offset]); got != "FROM gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("head = %q, want the last FROM", got)
	}
	root := analyzertest.Extract(t, a, "Dockerfile", []byte("FROM scratch\nCOPY app /app\n")).Elements[0]
	if !reflect.DeepEqual(root.Aliases, []string{"build:."}) || root.Attrs.At("image_pinned").Value != true {
		t.Errorf("root Dockerfile: aliases %v image_pinned %+v", root.Aliases, root.Attrs.At("image_pinned"))
	}
	// A Dockerfile of another name in the same directory is not what build: ./api builds.
	debug := analyzertest.Extract(t, a, "api/Dockerfile.debug", []byte("FROM scratch\n")).Elements[0]
	if !reflect.DeepEqual(debug.Aliases, []string{"build:api/Dockerfile.debug"}) {
		t.Errorf("api/Dockerfile.debug: aliases %v, want build:api/Dockerfile.debug", debug.Aliases)
	}
}

// Attributes that depend on build arguments are unknown when an argument has no default.
func TestBuildArgs(t *testing.T) {
	src := []byte("ARG BASE\nARG TAG=3.20\nFROM alpine:${TAG} AS a\nFROM ${BASE}\nARG UID\nUSER ${UID}\n")
	el := analyzertest.Extract(t, dockerfile.New(), "Dockerfile", src).Elements[0]
	for name, want := range map[string]model.Origin{"base_image": model.Unknown, "image_pinned": model.Unknown, "runs_as_root": model.Unknown} {
		if got := el.Attrs.At(name).Origin; got != want {
			t.Errorf("%s is %s, want %s", name, got, want)
		}
	}
	src = []byte("ARG TAG=3.20\nFROM alpine:${TAG:-edge}\nARG UID=1000\nUSER $UID\n")
	el = analyzertest.Extract(t, dockerfile.New(), "Dockerfile", src).Elements[0]
	if el.Attrs.At("base_image").Value != "alpine:3.20" || el.Attrs.At("runs_as_root").Value != false {
		t.Errorf("base_image %v runs_as_root %v", el.Attrs.At("base_image").Value, el.Attrs.At("runs_as_root").Value)
	}
}

// FuzzExtract: no input makes Extract panic or hang, and everything it reports points inside
// the file.
func FuzzExtract(f *testing.F) {
	analyzertest.Seeds(f, filepath.Join("testdata", "src", "*", "Dockerfile"), filepath.Join("testdata", "src", "*", "*", "Dockerfile"))
	f.Add([]byte("# escape=`\nFROM a `\n\n# c\n AS b\nRUN <<-A <<\"B\"\n\tx\n\tA\nB\n"))
	f.Add([]byte("FROM a AS a\nFROM a\nUSER \"\"\nENV =x\nEXPOSE ${X:+}\nHEALTHCHECK CMD\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		a := dockerfile.New()
		ff := analyzertest.Extract(t, a, "Dockerfile", src)
		analyzertest.Inside(t, src, ff, a.Link([]*model.FileFacts{ff}))
	})
}
