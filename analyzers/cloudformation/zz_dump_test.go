package cloudformation_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/threatls/threatls/analyzers/analyzertest"
	"github.com/threatls/threatls/analyzers/cloudformation"
)

func TestDump(t *testing.T) {
	src, _ := os.ReadFile(os.Getenv("F"))
	ff := analyzertest.Extract(t, cloudformation.New(), "x", src)
	for _, e := range ff.Elements {
		fmt.Println(e.Name, e.Kind, e.Type, e.From, "->", e.To)
		for k, a := range e.Attrs {
			fmt.Printf("   %s=%v (%s) %s\n", k, a.Value, a.Origin, a.Note)
		}
	}
	for _, ig := range ff.Ignores {
		fmt.Println("ignore", ig.ThreatID, ig.Reason, ig.Target.Start.Line)
	}
	for _, p := range ff.Problems {
		fmt.Println("problem", p.Message)
	}
}
