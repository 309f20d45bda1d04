package lsp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strconv"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.uber.org/zap"
)

// stream is the LSP base protocol (Content-Length framing) over a reader and a writer, made
// to survive a misbehaving client: jsonrpc2's own framer ends the session on the first bad
// header or body, this one answers (or logs) and reads on.
//
//   - a body that is not JSON is answered with a ParseError (id null), a JSON value that is
//     not a message with an InvalidRequest (with the id when one can be read);
//   - a header without a usable Content-Length is logged and skipped up to the next header;
//   - a Content-Length that is too small leaves the rest of the body before the next header,
//     which is skipped; one that is too large swallows the start of the next message, whose
//     header is then found inside the body and the reading resumes there.
//
// Read is called by one goroutine; Write is safe for concurrent use.
type stream struct {
	r      *bufio.Reader
	w      io.Writer
	in     io.Reader
	log    *zap.Logger
	maxLen int // bodies longer than this are skipped unread

	mu     sync.Mutex // serializes writes, so that each frame is one contiguous write
	closed bool
	buf    []byte // the last frame's buffer, reused (see Write)

	ended   chan struct{} // closed when the input has ended (or failed)
	endOnce sync.Once
	endErr  error // why; set before ended is closed
}

// maxBody is the largest message accepted. A document of a few tens of megabytes must get
// through; a client announcing gigabytes is skipped instead of allocated for.
const maxBody = 256 << 20

func newStream(in io.Reader, out io.Writer, log *zap.Logger) *stream {
	return &stream{r: bufio.NewReaderSize(in, 64<<10), w: out, in: in, log: log, maxLen: maxBody, ended: make(chan struct{})}
}

var _ jsonrpc2.Stream = (*stream)(nil)

// Read returns the next well-formed message, answering or skipping the malformed ones.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		body, n, err := s.readFrame()
		if err != nil {
			s.endOnce.Do(func() {
				s.endErr = err
				close(s.ended)
			})
			return nil, 0, err
		}
		if body == nil {
			continue // a frame that was skipped
		}
		msg, err := jsonrpc2.DecodeMessage(body)
		if err == nil {
			return msg, n, nil
		}
		s.reject(ctx, body, err)
	}
}

// reject answers a body that is not a valid message.
func (s *stream) reject(ctx context.Context, body []byte, err error) {
	var id jsonrpc2.ID
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	code := jsonrpc2.ParseError
	if json.Valid(body) {
		code = jsonrpc2.InvalidRequest
		if json.Unmarshal(body, &probe) == nil {
			id = decodeID(probe.ID)
		}
	}
	s.log.Warn("malformed message", zap.Error(err), zap.Int("bytes", len(body)),
		zap.ByteString("start", body[:min(len(body), 200)]))
	resp := jsonrpc2.NewResponse(id, nil, jsonrpc2.NewError(code, fmt.Sprintf("malformed message: %v", err)))
	if _, err := s.Write(ctx, resp); err != nil {
		s.log.Debug("could not answer a malformed message", zap.Error(err))
	}
}

func decodeID(raw json.RawMessage) jsonrpc2.ID {
	var n int64
	if json.Unmarshal(raw, &n) == nil {
		return jsonrpc2.NewNumberID(n)
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return jsonrpc2.NewStringID(str)
	}
	return jsonrpc2.ID{}
}

// contentLength finds a Content-Length header anywhere in a line, so that a header glued to
// the remains of a body with a wrong length is still found.
var contentLength = regexp.MustCompile(`(?i)content-length:[ \t]*([0-9]+)[ \t]*\r?$`)

// nextHeader finds, inside a body, the header of a message that follows it: only a body with
// a Content-Length too large for it contains one, since valid JSON cannot hold a raw line
// break inside a string nor a header outside of one.
var nextHeader = regexp.MustCompile(`Content-Length:[ \t]*[0-9]+\r?\n`)

// readFrame reads the next frame. It returns a nil body, and no error, for a frame that was
// skipped; an error only when the input ends or fails.
func (s *stream) readFrame() ([]byte, int64, error) {
	length, read, garbage := -1, int64(0), 0
	for {
		line, err := s.readLine()
		read += int64(len(line))
		if err != nil {
			if errors.Is(err, io.EOF) && read > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, 0, err
		}
		if bytes.Equal(line, []byte("\r\n")) || bytes.Equal(line, []byte("\n")) {
			if length >= 0 {
				break
			}
			continue // a blank line without a length: nothing to read yet
		}
		if m := contentLength.FindSubmatch(bytes.TrimRight(line, "\n")); m != nil {
			n, err := strconv.Atoi(string(m[1]))
			if err != nil || n > s.maxLen {
				n = s.maxLen + 1 // a length we will skip
			}
			length = n
			continue
		}
		if length < 0 && !bytes.HasPrefix(bytes.ToLower(line), []byte("content-type:")) {
			garbage += len(line)
		}
	}
	if garbage > 0 {
		s.log.Warn("skipped bytes that are not a message header", zap.Int("bytes", garbage))
	}
	if length == 0 {
		s.log.Warn("skipped a message with Content-Length 0")
		return nil, read, nil
	}
	if length > s.maxLen {
		s.log.Warn("skipping a message over the size limit", zap.Int("limit", s.maxLen))
		if _, err := io.CopyN(io.Discard, s.r, int64(length)); err != nil {
			return nil, 0, err
		}
		return nil, read, nil
	}
	body, err := s.readBody(length)
	if err != nil {
		return nil, 0, err
	}
	return body, read + int64(len(body)), nil
}

// readLine reads one header line, however long (a long line is garbage, kept short).
func (s *stream) readLine() ([]byte, error) {
	var long []byte
	for {
		line, err := s.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Keep only the tail, where a header glued to garbage would be.
			long = append(long[:0], line[max(0, len(line)-256):]...)
			continue
		}
		if long != nil {
			line = append(long, line...)
		} else {
			line = bytes.Clone(line)
		}
		if err != nil && len(line) > 0 && err == io.EOF {
			return line, io.ErrUnexpectedEOF
		}
		return line, err
	}
}

// readBody reads length bytes, unless the header of a following message shows up in them
// first: then the body ends before it and what follows is read again as the next frame.
func (s *stream) readBody(length int) ([]byte, error) {
	body := make([]byte, 0, min(length, 64<<10))
	for len(body) < length {
		if len(body) == cap(body) {
			grown := make([]byte, len(body), min(length, 2*cap(body)))
			copy(grown, body)
			body = grown
		}
		from := max(0, len(body)-64) // a header may straddle two reads
		n, err := s.r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if cut := headerIn(body, from); cut >= 0 {
			rest := bytes.Clone(body[cut:])
			s.log.Warn("Content-Length too large: the next message starts inside the body",
				zap.Int("declared", length), zap.Int("actual", cut))
			s.r = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(rest), s.r), 64<<10)
			return body[:cut], nil
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return body, nil
}

// headerIn returns the offset of a message header in body at or after from, or -1.
func headerIn(body []byte, from int) int {
	for from < len(body) {
		i := bytes.Index(body[from:], []byte("Content-Length:"))
		if i < 0 {
			return -1
		}
		at := from + i
		if loc := nextHeader.FindIndex(body[at:min(len(body), at+64)]); loc != nil && loc[0] == 0 {
			return at
		}
		from = at + 1
	}
	return -1
}

// Write frames msg and writes it. The envelope is encoded into a buffer the stream keeps (up
// to keptWrite bytes), behind room for its header; the params of a large notification (a
// publication of diagnostics) are written from where they are, not copied into it: encoding
// the message, then copying it twice more into a frame, copied the 15 MB of diagnostics of a
// 5 MB stream of manifests three times over (BenchmarkStreamWrite: the frame costs nothing
// beside jsonrpc2.EncodeMessage's one copy).
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, io.ErrClosedPipe
	}
	var room [headerRoom]byte
	buf := append(s.buf[:0], room[:]...)
	var params []byte
	if n, ok := msg.(*jsonrpc2.Notification); ok && len(n.Params()) >= keptWrite {
		// {"jsonrpc":"2.0","method":M} less its brace, then ,"params":P} as jsonrpc2 writes it.
		params = n.Params()
		buf = jsonrpc2.AppendMessage(buf, jsonrpc2.NewNotification(n.Method(), nil))
		buf = append(buf[:len(buf)-1], `,"params":`...)
	} else {
		buf = jsonrpc2.AppendMessage(slices.Grow(buf, 128+payload(msg)), msg)
	}
	if cap(buf) <= keptWrite {
		s.buf = buf[:0]
	}
	length := len(buf) - headerRoom
	if params != nil {
		length += len(params) + 1
	}
	var head [headerRoom]byte
	h := strconv.AppendInt(append(head[:0], "Content-Length: "...), int64(length), 10)
	h = append(h, "\r\n\r\n"...)
	frame := buf[headerRoom-len(h):]
	copy(frame, h)
	out := net.Buffers{frame}
	if params != nil {
		out = append(out, params, []byte("}"))
	}
	n, err := out.WriteTo(s.w)
	if err != nil {
		return n, fmt.Errorf("writing a message: %w", err)
	}
	return n, nil
}

// payload returns the length of msg's params or result: most of what it encodes to.
func payload(msg jsonrpc2.Message) int {
	switch m := msg.(type) {
	case *jsonrpc2.Notification:
		return len(m.Params())
	case *jsonrpc2.Call:
		return len(m.Params()) + len(m.Method())
	case *jsonrpc2.Response:
		return len(m.Result())
	}
	return 0
}

// headerRoom is the room left before a message for its header ("Content-Length: " and up to
// 20 digits and two line ends); keptWrite the largest buffer the stream keeps for the next.
const (
	headerRoom = 48
	keptWrite  = 1 << 20
)

// Close closes the input and the output when they can be closed (each once).
func (s *stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	var errs []error
	if c, ok := s.in.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	// A duplex connection (one value for both) was closed above.
	if _, duplex := s.w.(io.Reader); !duplex {
		if c, ok := s.w.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}
