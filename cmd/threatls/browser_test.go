package main

import (
	"encoding/json"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// browserCheck is what report/browser/check.mjs saw in Chromium.
type browserCheck struct {
	ConsoleErrors []string `json:"consoleErrors"`
	Requests      []string `json:"requests"`
	Nodes         int      `json:"nodes"`
	Clusters      int      `json:"clusters"`
	PathEdges     int      `json:"pathEdges"`
	NodeLinks     int      `json:"nodeLinks"`
	Edges         int      `json:"edges"`
	OK            bool     `json:"ok"`
	Error         string   `json:"error"`
}

// inBrowser runs report/browser/check.mjs in Debian's headless Chromium. Without Chromium or
// the npm packages (make test-deps installs both) the test is skipped on a developer's machine
// and fails in CI.
func inBrowser(t *testing.T, mode, input, shot string) browserCheck {
	t.Helper()
	dir := filepath.Join("..", "..", "report", "browser")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	_, errC := os.Stat(chromium)
	_, errN := os.Stat(filepath.Join(dir, "node_modules", "playwright-core"))
	if errC != nil || errN != nil {
		msg := "needs Chromium and report/browser's npm packages (make test-deps)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command("node", filepath.Join(dir, "check.mjs"), mode, input, shot)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("check.mjs %s: %v\n%s", mode, err, stderr)
	}
	var c browserCheck
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("check.mjs output %q: %v", out, err)
	}
	if len(c.ConsoleErrors) > 0 {
		t.Errorf("console errors: %q", c.ConsoleErrors)
	}
	if len(c.Requests) > 0 {
		t.Errorf("the page loaded from the network: %q", c.Requests)
	}
	return c
}

// inkOf returns a screenshot's size, the share of its pixels that are not near-white, and
// how many are the red of attack paths.
func inkOf(t *testing.T, path string) (w, h int, ink float64, red int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 235 || g < 235 || bl < 235 {
				inked++
			}
			if r > 150 && g < 90 && bl < 80 {
				red++
			}
		}
	}
	return b.Dx(), b.Dy(), float64(inked) / float64(b.Dx()*b.Dy()), red
}

// TestReportInBrowser opens the HTML report of the example in Chromium: it loads with no
// console error and nothing from the network, the diagram is drawn — zones, nodes linked to
// their sections, attack paths in red — and its screenshot is neither blank nor tiny.
func TestReportInBrowser(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if _, err := run(t, "report", "-o", page, shop); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "diagram.png")
	c := inBrowser(t, "html", page, shot)
	if c.Nodes < 10 || c.Clusters < 5 || c.PathEdges < 4 || c.NodeLinks < 5 {
		t.Errorf("the diagram has %d nodes, %d zones, %d attack-path flows, %d linked nodes; want at least 10, 5, 4, 5", c.Nodes, c.Clusters, c.PathEdges, c.NodeLinks)
	}
	w, h, ink, red := inkOf(t, shot)
	if w < 600 || h < 300 || ink < 0.03 || red < 200 {
		t.Errorf("diagram screenshot %dx%d, %.1f%% inked, %d red pixels: want at least 600x300, 3%%, 200", w, h, 100*ink, red)
	}
	if os.Getenv("THREATLS_KEEP_SCREENSHOT") != "" {
		_ = os.WriteFile(os.Getenv("THREATLS_KEEP_SCREENSHOT"), mustRead(t, shot), 0o644)
	}
}

// TestMarkdownMermaidRenders renders the Markdown report's diagram with Mermaid, the library
// GitHub renders it with, in Chromium.
func TestMarkdownMermaidRenders(t *testing.T) {
	out, err := run(t, "report", "--format", "markdown", shop)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```mermaid\n(.*?)```").FindStringSubmatch(out)
	if m == nil {
		t.Fatal("the Markdown report has no Mermaid diagram")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "diagram.mmd")
	if err := os.WriteFile(src, []byte(m[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	c := inBrowser(t, "mermaid", src, filepath.Join(dir, "mermaid.png"))
	if !c.OK {
		t.Fatalf("Mermaid does not render the diagram: %s", c.Error)
	}
	if c.Nodes < 10 || c.Clusters < 5 || c.Edges < 10 {
		t.Errorf("Mermaid drew %d nodes, %d zones, %d flows; want at least 10, 5, 10", c.Nodes, c.Clusters, c.Edges)
	}
	if !strings.Contains(m[1], "linkStyle") {
		t.Error("attack paths are not styled")
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
