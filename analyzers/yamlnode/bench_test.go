package yamlnode

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/threatls/threatls/analyzers/parse"
)

// largeManifest is a stream of n Deployments and Services, ~1.3 KB each, as a cluster's
// rendered manifests are.
func largeManifest(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-%[1]d
  namespace: team-%[2]d
  labels: {app: svc-%[1]d, tier: backend}
spec:
  replicas: 3
  selector:
    matchLabels: {app: svc-%[1]d}
  template:
    metadata:
      labels: {app: svc-%[1]d}
    spec:
      serviceAccountName: svc-%[1]d
      containers:
        - name: app
          image: registry.example.com/team-%[2]d/svc-%[1]d:1.%[1]d.0
          ports: [{containerPort: 8080}]
          env:
            - name: DATABASE_URL
              value: postgres://svc-%[1]d@db-%[2]d:5432/app
            - name: REDIS_URL
              value: redis://cache-%[2]d:6379
          securityContext:
            runAsNonRoot: true
            readOnlyRootFilesystem: true
          resources:
            limits: {cpu: 500m, memory: 256Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-%[1]d
  namespace: team-%[2]d
spec:
  selector: {app: svc-%[1]d}
  ports: [{port: 80, targetPort: 8080}]
`, i, i%7)
	}
	return b.Bytes()
}

// The per-edit cost of reading a large manifest (yamlnode is not incremental: an edit
// re-reads the file): yaml.v3 as Parse does, tree-sitter alone as sitterDocs does, and the
// hybrid an edit that breaks one document costs (Parse, then Recover of that document).
// tree-sitter's incremental reparse of the whole file after a one-character edit is the
// floor an incremental tree-sitter backend could reach before converting anything.
func BenchmarkLargeManifest(b *testing.B) {
	src := largeManifest(200)
	broken := bytes.Replace(src, []byte("ports: [{containerPort: 8080}]\n          env:\n            - name: DATABASE_URL\n              value: postgres://svc-100@"),
		[]byte("ports: [{containerPort: 8080\n          env:\n            - name: DATABASE_URL\n              value: postgres://svc-100@"), 1)
	if bytes.Equal(broken, src) {
		b.Fatal("the edit did not apply")
	}
	want, _ := Parse(src, "m.yaml")
	n := len(want)
	b.Logf("%d bytes, %d documents", len(src), n)
	b.Run("yaml.v3", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if docs, problems := Parse(src, "m.yaml"); len(docs) != n || len(problems) != 0 {
				b.Fatalf("%d docs, %v", len(docs), problems)
			}
		}
	})
	b.Run("tree-sitter", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if docs := sitterDocs(src, "m.yaml"); len(docs) != n || docs[n-1].Root == nil {
				b.Fatalf("%d docs", len(docs))
			}
		}
	})
	b.Run("yaml.v3+recover-one-broken", func(b *testing.B) {
		b.SetBytes(int64(len(broken)))
		for b.Loop() {
			docs, problems := Parse(broken, "m.yaml")
			docs, _ = Recover(broken, "m.yaml", docs, problems)
			if len(problems) != 1 || !slices.ContainsFunc(docs, func(d *Doc) bool { return d.Recovered }) {
				b.Fatalf("%v", problems)
			}
		}
	})
	b.Run("tree-sitter-incremental-reparse-only", func(b *testing.B) {
		doc, err := parse.NewDocument(context.Background(), parse.YAML, src)
		if err != nil {
			b.Fatal(err)
		}
		defer doc.Close()
		at := bytes.Index(src, []byte("replicas: 3")) + len("replicas: ")
		b.SetBytes(int64(len(src)))
		i := 0
		for b.Loop() {
			c := []string{"4", "3"}[i%2]
			i++
			if err := doc.Apply(context.Background(), []parse.Edit{{Start: at, End: at + 1, Text: c}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRecover: what reading a broken document costs Recover — as Salvage reads it alone,
// falling back to tree-sitter — beside tree-sitter's recovery alone (the baseline, what
// Recover did before), for one ConfigMap of 1,000 and 10,000 entries with an unclosed [ in
// its middle (`go test -run '^$' -bench Recover -benchtime 10x ./analyzers/yamlnode/`).
func BenchmarkRecover(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		var buf bytes.Buffer
		buf.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")
		for i := range n {
			fmt.Fprintf(&buf, "  key%d: value number %d of the map\n", i, i)
			if i == n/2 {
				buf.WriteString("  broken: [\n")
			}
		}
		src := buf.Bytes()
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			var recover, sitter float64
			for b.Loop() {
				docs, problems := Parse(src, "big.yaml")
				t0 := nowMS()
				docs, _ = Recover(src, "big.yaml", docs, problems)
				t1 := nowMS()
				if docs[0].Root.Path("data", "key0").String() == "" {
					b.Fatal("the intact entries were lost")
				}
				recoverDoc("big.yaml", src, lineStarts(src), 0, len(src))
				recover, sitter = recover+t1-t0, sitter+nowMS()-t1
			}
			b.ReportMetric(recover/float64(b.N), "recover-ms")
			b.ReportMetric(sitter/float64(b.N), "tree-sitter-ms")
			b.ReportMetric(recover/sitter, "ratio-to-tree-sitter")
		})
	}
}

func nowMS() float64 { return float64(time.Now().UnixNano()) / 1e6 }
