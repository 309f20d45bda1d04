package engine

import (
	"context"
	"strings"
	"testing"
)

// A fix of what an override file sets is made in the override file: Terraform merges the
// override over the original block, so setting acl in main.tf, where the quick fix went,
// changed nothing (it was already "private": the fix vanished, and the bucket stayed public).
// A fix of what no override sets, and one that adds a block (override files may only change
// what other files declare), stay in main.tf.
func TestFixOfAnOverriddenArgumentEditsTheOverride(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"main.tf":     "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n  acl    = \"private\"\n}\n",
		"override.tf": "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
	}
	writeTree(t, dir, files)
	eng := testEngine(t)
	snap, err := eng.Workspace(dir, DefaultConfig()).Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	edited := map[string]map[string]bool{} // threat → the files its mitigations edit
	for _, f := range snap.Findings() {
		for _, fx := range eng.Fixes(snap, f) {
			if !strings.HasPrefix(fx.Title, "Accept risk") {
				for _, ed := range fx.Edits {
					if edited[f.ThreatID] == nil {
						edited[f.ThreatID] = map[string]bool{}
					}
					edited[f.ThreatID][ed.File] = true
					text := snap.File(ed.File).Text
					got := string(text[:ed.Start]) + ed.NewText + string(text[ed.End:])
					switch {
					case f.ThreatID != "AWS-S3-001":
					case ed.File == "override.tf":
						if want := "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"private\"\n}\n"; got != want {
							t.Errorf("%q makes override.tf:\n%s\nwant:\n%s", fx.Title, got, want)
						}
					case ed.Start != ed.End || ed.Start < len(files["main.tf"])-1:
						t.Errorf("%q changes the bucket's block in main.tf, which override.tf overrides:\n%s", fx.Title, got)
					}
				}
			}
		}
	}
	if !edited["AWS-S3-001"]["override.tf"] {
		t.Errorf("no fix of the public ACL edits override.tf: %v", edited)
	}
	for _, threat := range []string{"AWS-S3-005", "AWS-S3-003"} { // versioning: set in main.tf; a public access block: a new block
		if len(edited[threat]) != 1 || !edited[threat]["main.tf"] {
			t.Errorf("%s's fixes edit %v, want main.tf alone", threat, edited[threat])
		}
	}
}
