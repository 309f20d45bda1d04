package terraform

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"regexp"
	"testing"

	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/engine/corpus"
	"github.com/threatls/threatls/model"
)

// TestReuseIsBuild types into every .tf file of the testdata, and into a generated module of
// 2,000 lines, and checks after each edit that Link, which takes over the last elements when
// the edit changed nothing the last build read, returns exactly what a new analyzer's Link
// (a build from nothing) returns: the same elements, every span where its text now is. The
// edits are those of a person at work — characters typed and deleted in strings and
// comments, blank lines, and any edit at all — and the test fails if too few of them were
// served by a reuse for it to say anything of it.
func TestReuseIsBuild(t *testing.T) {
	defer func(n int) { logMin = n }(logMin)
	logMin = 0
	srcs := testdataSources(t)
	large, _ := corpus.LargeFile(3, 2000)
	srcs = append(srcs, large)
	rng := rand.New(rand.NewSource(5))
	edits, reused := 0, 0
	for i, src := range srcs {
		ed := openLinked(t, src)
		for step := range 60 {
			text := bytes.Clone(ed.doc.Text())
			e := typedEdit(rng, text)
			ed.apply(e)
			if ed.doc.Tree().Root().HasError() { // a broken file is read whole: take it back
				ed.apply(parse.Edit{Start: e.Start, End: e.Start + len(e.Text), Text: string(text[e.Start:e.End])})
				ed.facts = ed.a.Extract(ed.doc.Tree(), "main.tf")
				ed.a.Link([]*model.FileFacts{ed.facts})
				continue
			}
			before := ed.a.reused
			got := ed.link()
			edits++
			if ed.a.reused > before {
				reused++
			}
			if d := diffElements(got, ed.built()); d != "" {
				t.Fatalf("file %d, edit %d (%+v, reused %v): Link differs from a build\n%s", i, step, e, ed.a.reused > before, d)
			}
		}
	}
	t.Logf("%d edits of %d files, %d served by taking the last elements over", edits, len(srcs), reused)
	if reused < edits/5 {
		t.Fatalf("only %d of %d edits took the last elements over: the test checks little of it", reused, edits)
	}
}

// TestReuseOfAReadArgument checks that an edit of what the build reads — a bucket's ACL, a
// rule's CIDR block, a reference — is built again, and that one of what it does not read is
// not.
func TestReuseOfAReadArgument(t *testing.T) {
	defer func(n int) { logMin = n }(logMin)
	logMin = 0
	src := []byte(`resource "aws_s3_bucket" "b" {
  bucket = "logs"
  acl    = "private"
  # a comment
}

resource "aws_s3_bucket" "site" {
  for_each = toset(["site-a"])
  bucket   = each.key
  wanted   = "private"
}

resource "aws_s3_bucket_acl" "site" {
  for_each = aws_s3_bucket.site
  bucket   = each.value.bucket
  acl      = each.value.wanted
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_instance" "app" {
  ami                    = "ami-1"
  noted                  = aws_security_group.web.id
  vpc_security_group_ids = [aws_security_group.web.id]
}

resource "aws_security_group" "web" {
  description = "web servers"
  vpc_id      = aws_vpc.main.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`)
	for _, c := range []struct {
		from, to string
		reuse    bool
	}{
		{`"private"`, `"public-read"`, false},
		{`"10.0.0.0/8"`, `"0.0.0.0/0"`, false},
		{`# a comment`, `# a longer comment`, true},
		// An argument no builder looks up, read as part of a whole resource (each.value).
		{`"private"
}`, `"public-read"
}`, false},
		// An argument no builder looks up, whose reference places the instance in the VPC.
		{`aws_security_group.web.id
  vpc_security`, `"sg-1"
  vpc_security`, false},
		{`"web servers"`, `"the web servers"`, true},
	} {
		t.Run(c.to, func(t *testing.T) {
			ed := openLinked(t, src)
			at := bytes.Index(src, []byte(c.from))
			ed.apply(parse.Edit{Start: at, End: at + len(c.from), Text: c.to})
			got := ed.link()
			if reused := ed.a.reused > 0; reused != c.reuse {
				t.Errorf("reused: %v, want %v", reused, c.reuse)
			}
			if d := diffElements(got, ed.built()); d != "" {
				t.Error(d)
			}
		})
	}
}

// linkedFile is main.tf open in an editor, linked by one analyzer as its edits come.
type linkedFile struct {
	t     *testing.T
	doc   *parse.Document
	a     *Analyzer
	facts *model.FileFacts
}

// openLinked opens src as main.tf and links it once, as an editor's first keystroke finds it.
func openLinked(t *testing.T, src []byte) *linkedFile {
	doc, err := parse.NewDocument(context.Background(), parse.HCL, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(doc.Close)
	ed := &linkedFile{t: t, doc: doc, a: New().(*Analyzer)}
	ed.facts = ed.a.Extract(doc.Tree(), "main.tf")
	ed.a.Link([]*model.FileFacts{ed.facts})
	return ed
}

// apply types e and parses the file again.
func (ed *linkedFile) apply(e parse.Edit) {
	if err := ed.doc.Apply(context.Background(), []parse.Edit{e}); err != nil {
		ed.t.Fatal(err)
	}
}

// link reads the file as the engine does after an edit and links it.
func (ed *linkedFile) link() []*model.Element {
	ed.facts = ed.a.Reextract(ed.doc.Tree(), "main.tf", ed.facts)
	return ed.a.Link([]*model.FileFacts{ed.facts})
}

// built is what a new analyzer, which has linked nothing, makes of the file's facts.
func (ed *linkedFile) built() []*model.Element { return New().Link([]*model.FileFacts{ed.facts}) }

// stringOrComment finds where a person types in a string or a comment.
var stringOrComment = regexp.MustCompile(`= "[^"$\n]|# ?[^\n]|\n\n`)

// typedEdit returns an edit in a string or a comment (a character typed or deleted), a blank
// line, or, one time in three, any edit at all (randomEdit).
func typedEdit(rng *rand.Rand, text []byte) parse.Edit {
	places := stringOrComment.FindAllIndex(text, -1)
	if len(places) == 0 || rng.Intn(3) == 0 {
		return randomEdit(rng, text)
	}
	p := places[rng.Intn(len(places))]
	at := p[1] - 1
	switch rng.Intn(4) {
	case 0:
		return parse.Edit{Start: at, End: at + 1} // a character deleted
	case 1:
		return parse.Edit{Start: at, End: at, Text: "\n"}
	default:
		return parse.Edit{Start: at, End: at, Text: string(rune('a' + rng.Intn(26)))}
	}
}

// diffElements describes how two lists of elements differ, or returns "".
func diffElements(got, want []*model.Element) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d elements, want %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("element %d:\n got  %+v\n want %+v", i, *got[i], *want[i])
		}
	}
	return ""
}

// TestReuseInALargeModule: with the default threshold, a keystroke in a description of a
// generated module of 20,000 lines (BenchmarkEdit's kind of file) takes the last elements
// over, and one in a bucket's name does not. BenchmarkEdit/change-5MB measures the first.
func TestReuseInALargeModule(t *testing.T) {
	text, mid := corpus.LargeFile(1, 20000)
	for _, c := range []struct {
		name  string
		at    int
		reuse bool
	}{{"description", corpus.StringPointNear(text, mid), true}, {"bucket name", corpus.NamePointNear(text, mid), false}} {
		ed := openLinked(t, text)
		if n, ok := logged([]*model.FileFacts{ed.facts}); !ok {
			t.Fatalf("the module has %d blocks, fewer than the %d its builds log from", n, logMin)
		}
		ed.apply(parse.Edit{Start: c.at, End: c.at, Text: "x"})
		got := ed.link()
		if reused := ed.a.reused > 0; reused != c.reuse {
			t.Errorf("%s: reused %v, want %v", c.name, reused, c.reuse)
		}
		if d := diffElements(got, ed.built()); d != "" {
			t.Errorf("%s: %s", c.name, d)
		}
	}
}

// BenchmarkLinkLarge builds the module of a 4.5 MB generated file from nothing (a new
// analyzer each time), with the log of what the build reads (logged) and without it
// (unlogged): what the log costs a build that a keystroke cannot take its elements over from.
//
//	go test -run '^$' -bench LinkLarge -benchtime 10x ./analyzers/terraform/
func BenchmarkLinkLarge(b *testing.B) {
	text, _ := corpus.LargeFile(1, 170000)
	tr, err := parse.Parse(context.Background(), parse.HCL, text)
	if err != nil {
		b.Fatal(err)
	}
	ff := New().Extract(tr, "main.tf")
	tr.Close()
	for _, c := range []struct {
		name string
		min  int
	}{{"logged", logMin}, {"unlogged", 1 << 30}} {
		b.Run(c.name, func(b *testing.B) {
			defer func(n int) { logMin = n }(logMin)
			logMin = c.min
			for b.Loop() {
				New().Link([]*model.FileFacts{ff})
			}
		})
	}
}
