// Package container reads what the configuration of a container says, in whichever format it
// is written — a Compose file, a Kubernetes manifest, a Dockerfile: whether a variable's name
// says it holds a secret or an address, what an address says of the other end (host, port,
// protocol, TLS, credentials), and whether an image reference is pinned.
//
// It knows names and values only: which element a host names, and what becomes of what is
// read, is for each format's analyzer to decide.
package container

import (
	"path"
	"strings"

	"github.com/threatls/threatls/model"
)

// SecretName reports whether a variable's name says it holds a secret: PASSWORD, SECRET,
// TOKEN, API_KEY, CREDENTIAL, a name ending in _KEY or _PASS… but not a file, a path, an
// identifier, a user or an address of one (POSTGRES_PASSWORD_FILE, AWS_ACCESS_KEY_ID,
// TOKEN_URL), nor a public key.
func SecretName(name string) bool {
	n := strings.ToUpper(name)
	if strings.Contains(n, "PUBLIC") || AddressName(n) {
		return false
	}
	for _, suf := range []string{"_FILE", "_PATH", "_DIR", "_ID", "_NAME", "_ARN", "_USER", "_ENABLED",
		"_TTL", "_EXPIRY", "_LENGTH", "_HEADER", "_TYPE"} {
		if strings.HasSuffix(n, suf) {
			return false
		}
	}
	for _, w := range []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "API_KEY", "APIKEY",
		"PRIVATE_KEY", "ACCESS_KEY"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return strings.HasSuffix(n, "_KEY") || strings.HasSuffix(n, "_PASS") || strings.HasSuffix(n, "_PWD") ||
		n == "PASS" || n == "KEY"
}

// addressSuffixes end the names of variables that hold a host, a host:port or a URL, longest
// first where one ends another.
var addressSuffixes = []string{"_BOOTSTRAP_SERVERS", "_HOSTNAME", "_ADDRESS", "_ENDPOINT", "_SERVERS",
	"_BROKERS", "_SERVICE", "_SERVER", "_BROKER", "_HOST", "_ADDR", "_URL", "_URI", "_DSN"}

// AddressName reports whether a variable's name says it holds a host, a host:port or a URL:
// DATABASE_URL, REDIS_HOST, KAFKA_BROKERS, HOST, DSN…
func AddressName(name string) bool {
	switch strings.ToUpper(name) {
	case "URL", "URI", "HOST", "DSN", "ADDR", "ADDRESS", "ENDPOINT":
		return true
	}
	_, ok := cutAddressSuffix(name)
	return ok
}

// AddressPrefix returns a variable's name in upper case without the suffix that says it holds
// an address — PAYMENT_API for PAYMENT_API_URL — or the whole name when it has none: what the
// names of the variables that go with it (PAYMENT_API_PORT, PAYMENT_API_KEY) start with.
func AddressPrefix(name string) string {
	p, _ := cutAddressSuffix(name)
	return p
}

func cutAddressSuffix(name string) (string, bool) {
	n := strings.ToUpper(name)
	for _, s := range addressSuffixes {
		if p, ok := strings.CutSuffix(n, s); ok && p != "" {
			return p, true
		}
	}
	return n, false
}

// Interpolated reports whether s refers to a variable that is substituted before the
// container sees it: $VAR, ${VAR} (Compose, Dockerfiles) or $(VAR) (Kubernetes). $$ is an
// escaped dollar.
func Interpolated(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		c := s[i+1]
		if c == '$' {
			i++
			continue
		}
		if c == '{' || c == '(' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// credentialSuffixes end the names of variables that hold a credential.
var credentialSuffixes = []string{"_PASSWORD_FILE", "_CREDENTIALS", "_PASSWORD", "_SECRET_KEY", "_ACCESS_KEY",
	"_API_KEY", "_SECRET", "_TOKEN", "_PASS", "_PWD", "_KEY"}

// Credential returns the index in others of the variable that holds the caller's credential
// for the address held by the variable name, whose host is host; -1 when none does. Of the
// variables whose name says they hold a credential, it is the first that shares the address's
// prefix (REDIS_PASSWORD beside REDIS_URL, PAYMENT_API_KEY beside PAYMENT_API_URL) or is named
// after the host (DB_PASSWORD for host db), else the first that shares its first word
// (STRIPE_SECRET beside STRIPE_API_URL). The caller leaves out the variables that hold no
// value.
func Credential(name, host string, others []string) int {
	n := strings.ToUpper(name)
	pre := AddressPrefix(name)
	hostPre := strings.ToUpper(model.Separated(host, '_'))
	// shares reports whether the variable o starts with the part of name before its i-th
	// underscore, that underscore included.
	shares := func(o string, i int) bool { return i > 0 && strings.HasPrefix(o, n[:i+1]) && SecretName(o) }
	first := -1
	for i, other := range others {
		o := strings.ToUpper(other)
		if o == n {
			continue
		}
		for _, suf := range credentialSuffixes {
			if p, ok := strings.CutSuffix(o, suf); ok && p != "" && (p == pre || p == hostPre) {
				return i
			}
		}
		if shares(o, strings.LastIndexByte(n, '_')) {
			return i
		}
		if first < 0 && shares(o, strings.IndexByte(n, '_')) {
			first = i
		}
	}
	return first
}

// ImagePinned reports whether an image reference is pinned to a digest or a version tag;
// known is false when the tag or the digest comes from a variable. note says why.
func ImagePinned(image string) (pinned, known bool, note string) {
	if strings.EqualFold(strings.TrimSpace(image), "scratch") {
		return true, true, "scratch is the empty image: there is nothing to pin"
	}
	_, tag, digest := Repository(image)
	switch {
	case digest != "" && !strings.Contains(digest, "$"):
		return true, true, "pinned by digest"
	case strings.Contains(tag, "$") || strings.Contains(digest, "$"):
		return false, false, "the tag comes from a variable"
	case tag == "":
		return false, true, "no tag: the image is whatever latest is when pulled"
	case tag == "latest":
		return false, true, "the latest tag moves"
	}
	return true, true, "tag " + tag
}

// Repository splits an image reference into its repository (registry and path), its tag and
// its digest; tag and digest are "" when not written.
func Repository(ref string) (repo, tag, digest string) {
	repo = strings.TrimSpace(ref)
	if i := strings.Index(repo, "@"); i >= 0 {
		repo, digest = repo[:i], repo[i+1:]
	}
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo, tag = repo[:i], repo[i+1:]
	}
	return repo, tag, digest
}

// Capability normalises a Linux capability as written in a manifest or a compose file: upper
// case, without the CAP_ prefix; "" for what is not a name (empty, a template, a variable).
func Capability(s string) string {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "CAP_")
	if s == "" || strings.ContainsAny(s, "{}$ ") {
		return ""
	}
	return s
}

// baselineCapabilities are the capabilities the Kubernetes "baseline" Pod Security Standard
// lets a container add: those of Docker's default set that grant nothing over the host.
var baselineCapabilities = map[string]bool{"AUDIT_WRITE": true, "CHOWN": true, "DAC_OVERRIDE": true,
	"FOWNER": true, "FSETID": true, "KILL": true, "MKNOD": true, "NET_BIND_SERVICE": true, "SETFCAP": true,
	"SETGID": true, "SETPCAP": true, "SETUID": true, "SYS_CHROOT": true}

// hostCapabilities are the capabilities that amount to control of the host: ALL, and those
// that mount filesystems, load kernel modules, trace other processes, read raw devices or any
// file, or load eBPF programs.
var hostCapabilities = map[string]bool{"ALL": true, "SYS_ADMIN": true, "SYS_MODULE": true,
	"SYS_RAWIO": true, "SYS_PTRACE": true, "DAC_READ_SEARCH": true, "BPF": true}

// CapabilityRank ranks an added capability: 2 for one that amounts to control of the host
// (SYS_ADMIN, ALL, …), 1 for one beyond the baseline set (NET_RAW, NET_ADMIN, …), 0 for one of
// the baseline set.
func CapabilityRank(c string) int {
	switch {
	case hostCapabilities[c]:
		return 2
	case baselineCapabilities[c]:
		return 0
	}
	return 1
}

// sensitiveHostPaths are directories of a host that a container should not see: the root,
// its configuration, kernel and device interfaces, runtime sockets and state, and home
// directories.
var sensitiveHostPaths = []string{"/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/home", "/run",
	"/var/run", "/var/lib/docker", "/var/lib/containerd", "/var/lib/kubelet", "/lib/modules", "/usr", "/bin", "/sbin", "/lib"}

// SensitiveHostPath reports whether a bind mount's source is the host's root or under one of
// its system directories. The Docker socket is not: a mount of it is a finding of its own.
func SensitiveHostPath(p string) bool {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "docker.sock") {
		return false
	}
	p = path.Clean(p)
	if p == "/" {
		return true
	}
	for _, s := range sensitiveHostPaths {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}
