package parse

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestQueryMatches checks that a query's matches come back as plain data that finds its
// nodes in the tree's Flat.
func TestQueryMatches(t *testing.T) {
	q, err := NewQuery(Python, `(call function: (_) @callee arguments: (argument_list) @args) @call`)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	src := []byte("import requests\nrequests.get('http://a', timeout=3)\nf()\n")
	tree, err := Parse(context.Background(), Python, src)
	if err != nil {
		t.Fatal(err)
	}
	ms, complete, err := tree.Matches(context.Background(), q)
	flat := tree.Flatten()
	tree.Close()
	if err != nil || !complete {
		t.Fatalf("complete %v, err %v", complete, err)
	}
	if len(ms) != 2 {
		t.Fatalf("%d matches, want 2", len(ms))
	}
	var got []string
	for _, c := range ms[0].Captures {
		i := flat.Find(c.Start, c.End, c.Sym)
		if i < 0 {
			t.Fatalf("capture %s not found in the flat tree", q.Names()[c.Name])
		}
		got = append(got, q.Names()[c.Name]+"="+flat.Kind(i)+":"+string(src[c.Start:c.End]))
	}
	want := "call=call:requests.get('http://a', timeout=3) callee=attribute:requests.get args=argument_list:('http://a', timeout=3)"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if len(ms[1].Captures) != 3 {
		t.Errorf("f() has %d captures, want call, callee and args", len(ms[1].Captures))
	}
}

// TestQueryErrors checks that a pattern the grammar cannot match says where and why.
func TestQueryErrors(t *testing.T) {
	_, err := NewQuery(Go, "(call_expression)\n(no_such_node) @x")
	var qe *QueryError
	if !errors.As(err, &qe) || qe.Row != 1 || qe.Why != "unknown node type" {
		t.Fatalf("err = %v", err)
	}
	q, err := NewQuery(Go, "(identifier) @id")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	tree, err := Parse(context.Background(), Python, []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if _, _, err := tree.Matches(context.Background(), q); err == nil {
		t.Error("a Go query ran on a Python tree")
	}
	q.Close() // a second Close must be harmless
}

// TestQueryCancel checks that a cancelled context stops a run and says it is incomplete.
func TestQueryCancel(t *testing.T) {
	q, err := NewQuery(JavaScript, "(identifier) @id")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	tree, err := Parse(context.Background(), JavaScript, []byte(strings.Repeat("a;\n", 1000)))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ms, complete, err := tree.Matches(ctx, q)
	if err != nil || complete || len(ms) > 1 {
		t.Errorf("%d matches, complete %v, err %v", len(ms), complete, err)
	}
}
