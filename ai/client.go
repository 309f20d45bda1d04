package ai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// maxAnswerBytes bounds the HTTP body of an answer: a larger one is refused, not read.
const maxAnswerBytes = 64 << 10

// maxAttempts is how many times one request is sent when the endpoint answers 429 or 5xx.
const maxAttempts = 3

// maxRetryAfter caps how long a Retry-After may make a request wait.
const maxRetryAfter = 30 * time.Second

// errOversized is returned when an answer's body is over maxAnswerBytes.
var errOversized = fmt.Errorf("the answer is over %d KiB", maxAnswerBytes>>10)

// errBudget is returned when the session's request budget is spent.
var errBudget = errors.New("budget spent")

// retryHint is where the doer leaves the Retry-After of a 429 or 503 for the retry loop:
// go-openai's errors do not carry the response's headers.
type retryHint struct{ after time.Duration }

type retryHintKey struct{}

// doer is the HTTP client under go-openai: it records Retry-After and bounds the size of the
// answer it lets go-openai read.
type doer struct{ base *http.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.base.Do(req)
	if err != nil {
		return nil, err
	}
	if h, ok := req.Context().Value(retryHintKey{}).(*retryHint); ok {
		h.after = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	resp.Body = &limitedBody{rc: resp.Body, left: maxAnswerBytes}
	return resp, nil
}

// limitedBody fails with errOversized once more than left bytes are read.
type limitedBody struct {
	rc   io.ReadCloser
	left int
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errOversized
	}
	if len(p) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	l.left -= n
	if l.left < 0 {
		return 0, errOversized
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// retryAfter reads a Retry-After header: seconds, or an HTTP date. Zero when absent or bad.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// newOpenAI makes the go-openai client for cfg: OpenAI's API, or Azure's when an API version
// is set (the model is then the deployment's name, used as it is).
func newOpenAI(cfg Config, httpClient *http.Client) *openai.Client {
	var oc openai.ClientConfig
	if cfg.APIVersion != "" {
		oc = openai.DefaultAzureConfig(cfg.key, cfg.BaseURL)
		oc.APIVersion = cfg.APIVersion
		oc.AzureModelMapperFunc = func(model string) string { return model }
	} else {
		oc = openai.DefaultConfig(cfg.key)
		oc.BaseURL = cfg.BaseURL
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	oc.HTTPClient = doer{base: httpClient}
	return openai.NewClientWithConfig(oc)
}

// failure is why a request brought no answer, for people: a short note shown next to the
// offline guidance.
type failure struct {
	note  string
	retry bool          // 429, 5xx: worth another attempt
	after time.Duration // what the endpoint asked to wait, if it did
}

func (f *failure) Error() string { return f.note }

// classify turns an error of go-openai (or of the transport under it) into a failure.
func classify(err error, timeout time.Duration) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	var status int
	var msg string
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var netErr net.Error
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errBudget):
		return &failure{note: "the session's AI request budget is spent (setting budget)"}
	case errors.Is(err, context.Canceled):
		return &failure{note: "cancelled"}
	case errors.Is(err, context.DeadlineExceeded):
		return &failure{note: fmt.Sprintf("no answer within %s (setting timeoutSeconds)", timeout)}
	case errors.Is(err, errOversized):
		return &failure{note: errOversized.Error() + ": refused"}
	case errors.As(err, &apiErr):
		status, msg = apiErr.HTTPStatusCode, apiErr.Message
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		if errors.Is(reqErr.Err, errOversized) {
			return &failure{note: errOversized.Error() + ": refused"}
		}
	case errors.As(err, &syntax), errors.As(err, &typeErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &failure{note: "the endpoint's answer is not valid JSON (truncated or malformed)"}
	case errors.As(err, &netErr):
		if netErr.Timeout() {
			return &failure{note: fmt.Sprintf("no answer within %s (setting timeoutSeconds)", timeout)}
		}
		return &failure{note: "the AI endpoint cannot be reached: " + shortNetError(err)}
	default:
		return &failure{note: "the AI request failed: " + oneLine(err.Error(), 160)}
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &failure{note: fmt.Sprintf("the AI endpoint refused the credentials (HTTP %d): check OPENAI_API_KEY or keyFile", status)}
	case status == http.StatusTooManyRequests:
		return &failure{note: "the AI endpoint is rate limiting (HTTP 429)", retry: true}
	case status >= 500:
		return &failure{note: fmt.Sprintf("the AI endpoint failed (HTTP %d)", status), retry: true}
	case status == http.StatusNotFound:
		return &failure{note: "the AI endpoint does not know this model or path (HTTP 404): check baseURL and model"}
	}
	note := fmt.Sprintf("the AI endpoint rejected the request (HTTP %d)", status)
	if msg != "" {
		note += ": " + oneLine(msg, 160)
	}
	return &failure{note: note}
}

func shortNetError(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return oneLine(op.Err.Error(), 120)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "no such host " + dns.Name
	}
	return oneLine(err.Error(), 120)
}

// oneLine flattens s and cuts it to n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
