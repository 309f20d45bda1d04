package kubernetes

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// store is a well-known data store image.
type store struct{ technology, category string }

// stores maps the last path component of an image repository to the store it runs.
var stores = map[string]store{
	"postgres": {"postgres", "database"}, "postgresql": {"postgres", "database"}, "postgis": {"postgres", "database"},
	"mysql": {"mysql", "database"}, "mariadb": {"mariadb", "database"}, "mongo": {"mongodb", "database"},
	"mongodb": {"mongodb", "database"}, "cassandra": {"cassandra", "database"}, "cockroach": {"cockroachdb", "database"},
	"redis": {"redis", "cache"}, "redis-stack-server": {"redis", "cache"}, "valkey": {"valkey", "cache"},
	"memcached": {"memcached", "cache"}, "rabbitmq": {"rabbitmq", "queue"}, "kafka": {"kafka", "queue"},
	"nats": {"nats", "queue"}, "elasticsearch": {"elasticsearch", "search"}, "opensearch": {"opensearch", "search"},
	"minio": {"minio", "bucket"},
}

// storeOf returns the store an image runs: its repository's last component is a known
// store, or ends with "-<store>" (confluentinc/cp-kafka).
func storeOf(image string) (store, bool) {
	repo, _, _ := container.Repository(strings.ToLower(image))
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		repo = repo[i+1:]
	}
	if s, ok := stores[repo]; ok {
		return s, true
	}
	if i := strings.LastIndexByte(repo, '-'); i >= 0 {
		s, ok := stores[repo[i+1:]]
		return s, ok
	}
	return store{}, false
}

// podAttrs reads the attributes of a workload's pod spec.
func (b *builder) podAttrs(w *workload) {
	e := w.el
	if len(w.containers) == 0 {
		return
	}
	b.image(w)
	b.runsAsRoot(w)
	b.privileged(w)
	b.boolOr(w, "host_network", w.pod.Get("hostNetwork"), false, "hostNetwork is not set: the pod has a network namespace of its own")
	b.boolOr(w, "host_pid", w.pod.Get("hostPID"), false, "hostPID is not set: the pod sees only its own processes")
	b.boolOr(w, "host_ipc", w.pod.Get("hostIPC"), false, "hostIPC is not set: the pod has an IPC namespace of its own")
	b.capabilities(w)
	b.escalation(w)
	b.confinement(w)
	b.hostPath(w)
	b.probes(w)
	b.readOnlyFS(w)
	b.limits(w)
	// service_account: the pod's serviceAccountName (serviceAccount, deprecated), else default.
	sa := "default"
	if n := w.pod.Get("serviceAccountName"); n.String() != "" {
		sa = n.String()
		e.Set("service_account", sa, n.Span)
	} else if n := w.pod.Get("serviceAccount"); n.String() != "" {
		sa = n.String()
		e.Set("service_account", sa, n.Span)
	} else {
		e.Default("service_account", sa, "no serviceAccountName: the pod runs as its namespace's default service account")
	}
	// service_account_token: the pod's setting, else its ServiceAccount's, else mounted.
	if n := w.pod.Get("automountServiceAccountToken"); n != nil {
		if v, ok := n.Bool(); ok {
			e.Set("service_account_token", v, n.Span)
		} else {
			unknownIfTemplated(w, "service_account_token", n)
		}
	} else {
		n := b.accounts[key(w.obj.namespace, sa)].rootGet("automountServiceAccountToken")
		if v, ok := n.Bool(); ok {
			e.SetNote("service_account_token", v, n.Span, "set by ServiceAccount/"+sa)
		} else {
			e.Default("service_account_token", true, "automountServiceAccountToken is not false: the service account token is mounted")
		}
	}
}

// unknownIfTemplated sets attr unknown when a template action writes n, and reports whether it
// did.
func unknownIfTemplated(w *workload, attr string, n *yamlnode.Node) bool {
	if n == nil || !templated(n) {
		return false
	}
	w.el.SetUnknown(attr, n.Span, "a template action writes it")
	return true
}

// rootGet is o.root.Get(k), nil-safe on o.
func (o *object) rootGet(k string) *yamlnode.Node {
	if o == nil {
		return nil
	}
	return o.root.Get(k)
}

// boolOr sets a boolean attribute read from n, or its default when n is absent; unknown when a
// template writes n.
func (b *builder) boolOr(w *workload, name string, n *yamlnode.Node, def bool, note string) {
	if unknownIfTemplated(w, name, n) {
		return
	}
	if v, ok := n.Bool(); ok {
		w.el.Set(name, v, n.Span)
		return
	}
	w.el.Default(name, def, note)
}

// image reads image and image_pinned from the containers, and makes the workload a store
// when its first container runs a well-known data store.
func (b *builder) image(w *workload) {
	e := w.el
	first := w.containers[0].Get("image")
	img, ok := first.Str()
	switch {
	case !ok:
	case strings.Contains(img, "{{") || strings.Contains(img, "$"):
		e.SetUnknown("image", first.Span, "the image is a template")
	default:
		e.Set("image", img, first.Span)
		// A Job or CronJob that runs a data store's image (pg_dump in postgres) is a task,
		// not the store.
		if s, ok := storeOf(img); ok && w.obj.kind != "Job" && w.obj.kind != "CronJob" {
			e.Kind = model.Store
			e.Set("technology", s.technology, first.Span)
			e.Set("category", s.category, first.Span)
			b.storeAuth(w, s)
		}
	}
	var built string
	var builtAt model.Span
	for _, c := range w.containers {
		n := c.Get("image")
		img, ok := n.Str()
		if !ok || strings.Contains(img, "{{") || strings.Contains(img, "$") {
			continue
		}
		if pinned, _, _ := container.ImagePinned(img); !pinned {
			if note, ok := b.builtImage(img); ok {
				if built == "" {
					built, builtAt = note, n.Span
				}
				continue
			}
			e.SetNote("image_pinned", false, n.Span, fmt.Sprintf("container %s: %s is neither a digest nor a version tag", name(c), img))
			return
		}
	}
	switch {
	case built != "":
		e.SetNote("image_pinned", true, builtAt, built)
	case e.Attrs.At("image").Origin == model.Read:
		e.Set("image_pinned", true, first.Span)
	}
}

// name is a container's name.
func name(c *yamlnode.Node) string {
	if n := c.Get("name").String(); n != "" {
		return n
	}
	return "(unnamed)"
}

// storeAuth reads whether a data store requires a password, from the variables its image
// documents.
func (b *builder) storeAuth(w *workload, s store) {
	e := w.el
	for _, v := range b.envOf(w, w.containers[0]) {
		n := strings.ToUpper(v.name)
		val := strings.ToLower(v.value)
		switch {
		case n == "POSTGRES_HOST_AUTH_METHOD" && val == "trust",
			(n == "ALLOW_EMPTY_PASSWORD" || n == "MYSQL_ALLOW_EMPTY_PASSWORD") && (val == "yes" || val == "true" || val == "1"):
			e.SetNote("authenticated", false, v.at(), v.name+"="+v.value+" lets clients in without a password")
			return
		case strings.HasSuffix(n, "_PASSWORD") || strings.HasSuffix(n, "_PASS") || n == "REDIS_ARGS" && strings.Contains(val, "requirepass"):
			if v.literal && v.value == "" {
				continue
			}
			e.SetNote("authenticated", true, v.at(), v.name+" sets a password")
			return
		}
	}
	for _, c := range []string{"args", "command"} {
		for _, a := range items(w.containers[0].Get(c)) {
			if strings.Contains(a.String(), "requirepass") {
				e.SetNote("authenticated", true, a.Span, "requirepass sets a password")
				return
			}
		}
	}
	switch s.technology {
	case "redis", "valkey", "memcached":
		e.Default("authenticated", false, s.technology+" requires no password unless one is configured")
	}
}

// secCtx returns the value of a securityContext field for a container: the container's
// own, else the pod's.
func secCtx(pod, c *yamlnode.Node, field string) *yamlnode.Node {
	if n := c.Path("securityContext", field); n != nil {
		return n
	}
	return pod.Path("securityContext", field)
}

func (b *builder) runsAsRoot(w *workload) {
	var nonRoot *yamlnode.Node
	unset := ""
	for _, c := range w.containers {
		user := secCtx(w.pod, c, "runAsUser")
		nr := secCtx(w.pod, c, "runAsNonRoot")
		if unknownIfTemplated(w, "runs_as_root", user) || unknownIfTemplated(w, "runs_as_root", nr) {
			return
		}
		if uid, ok := user.Int(); ok {
			if uid == 0 {
				w.el.SetNote("runs_as_root", true, user.Span, "container "+name(c)+" runs as uid 0")
				return
			}
			if nonRoot == nil {
				nonRoot = user
			}
			continue
		}
		if v, ok := nr.Bool(); ok {
			if !v {
				w.el.SetNote("runs_as_root", true, nr.Span, "container "+name(c)+": runAsNonRoot is false and no runAsUser is set")
				return
			}
			if nonRoot == nil {
				nonRoot = nr
			}
			continue
		}
		if unset == "" {
			unset = name(c)
		}
	}
	if unset != "" {
		// The image's USER decides, which the manifest does not show (as for a Compose
		// service without user:): unknown, not root.
		w.el.SetUnknown("runs_as_root", w.el.Head, "container "+unset+" sets neither runAsNonRoot nor runAsUser: it runs as the image's user, root unless the image sets USER")
		return
	}
	w.el.Set("runs_as_root", false, nonRoot.Span)
}

// privileged sets privileged: a container with securityContext.privileged. Sharing the
// host's PID or IPC namespace and added capabilities are attributes of their own.
func (b *builder) privileged(w *workload) {
	var explicit *yamlnode.Node
	for _, c := range w.containers {
		n := c.Path("securityContext", "privileged")
		if unknownIfTemplated(w, "privileged", n) {
			return
		}
		if v, ok := n.Bool(); ok && v {
			w.el.SetNote("privileged", true, n.Span, "container "+name(c)+" is privileged")
			return
		} else if ok && explicit == nil {
			explicit = n
		}
	}
	if explicit != nil {
		w.el.Set("privileged", false, explicit.Span)
		return
	}
	w.el.Default("privileged", false, "no container sets securityContext.privileged")
}

func (b *builder) readOnlyFS(w *workload) {
	var first *yamlnode.Node
	for _, c := range w.containers {
		n := c.Path("securityContext", "readOnlyRootFilesystem")
		if unknownIfTemplated(w, "read_only_fs", n) {
			return
		}
		v, ok := n.Bool()
		switch {
		case ok && v:
			if first == nil {
				first = n
			}
		case ok:
			w.el.SetNote("read_only_fs", false, n.Span, "container "+name(c)+" has a writable root filesystem")
			return
		default:
			w.el.Default("read_only_fs", false, "container "+name(c)+" does not set readOnlyRootFilesystem")
			return
		}
	}
	w.el.Set("read_only_fs", true, first.Span)
}

func (b *builder) limits(w *workload) {
	var first *yamlnode.Node
	for _, c := range w.containers {
		l := c.Path("resources", "limits")
		var missing []string
		for _, r := range []string{"cpu", "memory"} {
			if l.Get(r) == nil {
				missing = append(missing, r)
			}
		}
		switch {
		case l == nil:
			w.el.Default("resource_limits", false, "container "+name(c)+" sets no resources.limits")
			return
		case len(missing) > 0:
			w.el.SetNote("resource_limits", false, l.Span, "container "+name(c)+" sets no "+strings.Join(missing, " or ")+" limit")
			return
		case first == nil:
			first = l
		}
	}
	w.el.Set("resource_limits", true, first.Span)
}
