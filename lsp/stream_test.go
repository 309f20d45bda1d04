package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// TestStreamWriteFrames writes messages of every size the stream meets — a small one after
// one larger than the buffer it keeps, and the other way round — and reads them back as a
// client would: each frame's header says its body's length, and each body is the message.
func TestStreamWriteFrames(t *testing.T) {
	var out bytes.Buffer
	w := newStream(strings.NewReader(""), &out, zap.NewNop())
	var sent []string
	for _, n := range []int{0, 10, keptWrite + 100, 3, keptWrite / 2, 2 * keptWrite, 1} {
		params, _ := json.Marshal(map[string]string{"text": strings.Repeat("é", n/2)})
		msg := jsonrpc2.NewNotification("test/size", jsonrpc2.RawMessage(params))
		before := out.Len()
		if _, err := w.Write(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		// Byte for byte the frame of jsonrpc2's own encoding of the message.
		body, err := jsonrpc2.EncodeMessage(msg)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body); out.String()[before:] != want {
			t.Fatalf("a message of %d bytes of params framed as %.200q…, want %.200q…", len(params), out.String()[before:], want)
		}
		sent = append(sent, string(params))
	}
	r := newStream(&out, io.Discard, zap.NewNop())
	for i, want := range sent {
		msg, _, err := r.Read(context.Background())
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		n, ok := msg.(*jsonrpc2.Notification)
		if !ok || n.Method() != "test/size" || string(n.Params()) != want {
			t.Fatalf("message %d read back as %T %v, want its %d bytes of params", i, msg, msg, len(want))
		}
	}
	if _, _, err := r.Read(context.Background()); err != io.EOF {
		t.Fatalf("after the messages: %v, want EOF", err)
	}
	if cap(w.buf) > keptWrite {
		t.Errorf("the stream keeps a buffer of %d bytes after a large message, want at most %d", cap(w.buf), keptWrite)
	}
}

// BenchmarkStreamWrite: what writing the 15 MB publication of the 5 MB stream of manifests
// costs the stream (write-ms), beside what encoding it alone costs jsonrpc2 (encode-ms, the
// baseline: a copy of the params into an envelope).
//
//	go test -run '^$' -bench StreamWrite -benchtime 20x ./lsp/
func BenchmarkStreamWrite(b *testing.B) {
	params := jsonrpc2.RawMessage(fmt.Sprintf(`{"uri":"file:///ws/all.yaml","diagnostics":[%s]}`,
		strings.TrimSuffix(strings.Repeat(`{"range":{"start":{"line":4,"character":2},"end":{"line":4,"character":20}},"message":"m"},`, 15<<20/90), ",")))
	msg := jsonrpc2.NewNotification("textDocument/publishDiagnostics", params)
	w := newStream(strings.NewReader(""), io.Discard, zap.NewNop())
	var write, encode time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := jsonrpc2.EncodeMessage(msg); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := w.Write(context.Background(), msg); err != nil {
			b.Fatal(err)
		}
		encode, write = encode+t1.Sub(t0), write+time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(ms(write)/n, "write-ms")
	b.ReportMetric(ms(encode)/n, "encode-ms")
	b.ReportMetric(float64(write)/float64(encode), "ratio-to-encode")
}
