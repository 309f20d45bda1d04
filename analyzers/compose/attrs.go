package compose

import (
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// attrs sets the normalised attributes of a service's element and creates the flows of its
// published ports.
func (x *extractor) attrs(s *service) {
	el := s.el
	el.Set("platform", "compose", el.Head)
	x.image(s)
	x.user(s)
	x.privileged(s)
	x.hardening(s)
	x.network(s)
	if p, ok := s.pair("read_only"); ok && container.Interpolated(p.Value.String()) {
		el.SetUnknown("read_only_fs", p.Span(), "read_only comes from a variable")
	} else if ok {
		v, _ := p.Value.Bool()
		el.Set("read_only_fs", v, p.Span())
	} else {
		el.Default("read_only_fs", false, "read_only is not set: the root filesystem is writable")
	}
	x.limits(s)
	x.secrets(s)
	x.ports(s)
	if st, ok := storeOf(s.get("image").String()); ok {
		at := s.get("image").Span
		el.Set("technology", st.tech, at)
		el.Set("category", st.category, at)
		storeAuth(s, st)
	}
}

func (x *extractor) image(s *service) {
	el := s.el
	if b, ok := s.pair("build"); ok {
		el.SetNote("built_here", true, b.Span(), "compose builds the image from the workspace")
		// The image is built here: image: only names what the build tags. What is pulled is
		// the Dockerfile's FROM, which the Dockerfile's element says when it fuses with this
		// service (its value replaces this default).
		if p, ok := s.pair("image"); ok && p.Value.String() != "" {
			el.Set("image", p.Value.String(), p.Value.Span)
		}
		el.Default("image_pinned", true, "built from the repository by compose build: the Dockerfile's FROM decides what is pulled")
		return
	}
	el.Default("built_here", false, "no build: the image is pulled, its Dockerfile is not in the workspace")
	if p, ok := s.pair("image"); ok && p.Value.String() != "" {
		img := p.Value.String()
		el.Set("image", img, p.Value.Span)
		if pinned, known, note := container.ImagePinned(img); known {
			el.SetNote("image_pinned", pinned, p.Value.Span, note)
		} else {
			el.SetUnknown("image_pinned", p.Value.Span, note)
		}
	}
}

func (x *extractor) user(s *service) {
	el := s.el
	p, ok := s.pair("user")
	u := p.Value.String()
	_, built := s.pair("build")
	switch {
	case (!ok || u == "") && built:
		// The Dockerfile's element says, when it fuses with this service.
	case !ok || u == "":
		el.SetUnknown("runs_as_root", el.Head, "no user: the image's USER decides")
	case strings.Contains(u, "$"):
		el.SetUnknown("runs_as_root", p.Span(), "user comes from a variable")
	default:
		name, _, _ := strings.Cut(u, ":")
		el.Set("runs_as_root", name == "root" || name == "0", p.Span())
	}
}

// privileged sets privileged (privileged: true, or the Docker socket mounted) and
// docker_socket. Added capabilities and the host's PID or IPC namespace are attributes of
// their own (see hardening).
func (x *extractor) privileged(s *service) {
	el := s.el
	p, explicit := s.pair("privileged")
	sock := dockerSocket(s.get("volumes"))
	if sock != nil {
		el.Set("docker_socket", true, sock.Span)
	} else {
		el.Default("docker_socket", false, "the Docker socket is not mounted")
	}
	switch v, _ := p.Value.Bool(); {
	case explicit && container.Interpolated(p.Value.String()) && sock == nil:
		el.SetUnknown("privileged", p.Span(), "privileged comes from a variable")
	case explicit && v:
		el.SetNote("privileged", true, p.Span(), "privileged: true gives the container every capability and the host's devices")
	case sock != nil:
		el.SetNote("privileged", true, sock.Span, "the Docker socket gives control of the host's Docker daemon")
	case explicit:
		el.Set("privileged", false, p.Span())
	default:
		el.Default("privileged", false, "no privileged: true and no Docker socket")
	}
}

// dockerSocket returns the volumes: entry that mounts the Docker socket, or nil.
func dockerSocket(vols *yamlnode.Node) *yamlnode.Node {
	if vols == nil {
		return nil
	}
	for _, it := range vols.Items {
		src, dst := "", ""
		if it != nil && it.Kind == yamlnode.Map {
			src, dst = it.Get("source").String(), it.Get("target").String()
		} else {
			parts := strings.Split(it.String(), ":")
			src = parts[0]
			if len(parts) > 1 {
				dst = parts[1]
			}
		}
		if strings.HasSuffix(src, "docker.sock") || strings.HasSuffix(dst, "docker.sock") {
			return it
		}
	}
	return nil
}

// network sets host_network and the service's zone: its first network, or the default one.
func (x *extractor) network(s *service) {
	el := s.el
	mode, hasMode := s.pair("network_mode")
	if hasMode && container.Interpolated(mode.Value.String()) {
		el.SetUnknown("host_network", mode.Span(), "network_mode comes from a variable")
	} else if hasMode {
		el.Set("host_network", mode.Value.String() == "host", mode.Span())
	} else {
		el.Default("host_network", false, "no network_mode: host")
	}
	nets := s.get("networks")
	if nets == nil {
		if !hasMode {
			el.Default("zone", x.defaultNetwork().ID, "no networks: the service joins the default network")
		}
		return
	}
	var refs []*yamlnode.Node
	if nets.Kind == yamlnode.Map {
		for _, p := range nets.Entries() {
			refs = append(refs, p.Key)
		}
	} else {
		refs = nets.Items
	}
	first := true
	for _, r := range refs {
		name := r.String()
		if name == "" {
			continue
		}
		var zone *model.Element
		if name == "default" {
			zone = x.defaultNetwork()
		} else if zone = x.networks[name]; zone == nil {
			x.problem(r.Span, "network %s is not declared under the top-level networks:", name)
		}
		if first {
			id := x.id("network:" + name)
			if zone != nil {
				id = zone.ID
			}
			el.Set("zone", id, r.Span)
			first = false
		}
	}
}

// limits sets resource_limits: a CPU and a memory limit, under deploy.resources.limits or as
// the older mem_limit and cpus.
func (x *extractor) limits(s *service) {
	el := s.el
	var mem, cpu, at *model.Span
	if res := s.get("deploy").Get("resources"); res != nil {
		if lp, ok := res.Pair("limits"); ok {
			sp := lp.Span()
			at = &sp
			if p, ok := lp.Value.Pair("memory"); ok {
				sp := p.Span()
				mem = &sp
			}
			if p, ok := lp.Value.Pair("cpus"); ok {
				sp := p.Span()
				cpu = &sp
			}
		}
	}
	if p, ok := s.pair("mem_limit"); ok && mem == nil {
		sp := p.Span()
		mem = &sp
	}
	if p, ok := s.pair("cpus"); ok && cpu == nil {
		sp := p.Span()
		cpu = &sp
	}
	switch {
	case mem != nil && cpu != nil:
		if at == nil {
			at = mem
		}
		el.Set("resource_limits", true, *at)
	case mem != nil:
		el.SetNote("resource_limits", false, *mem, "a memory limit but no CPU limit")
	case cpu != nil:
		el.SetNote("resource_limits", false, *cpu, "a CPU limit but no memory limit")
	default:
		el.Default("resource_limits", false, "no deploy.resources.limits: the container may use all the host's CPU and memory")
	}
}

// secrets sets secrets_in_env (a literal value in a secret-looking variable, or a connection
// string with a password) and uses_vault (a VAULT_* variable).
func (x *extractor) secrets(s *service) {
	el := s.el
	found := false
	for _, v := range s.env {
		if !v.literal() {
			continue
		}
		if container.SecretName(v.name) {
			el.SetNote("secrets_in_env", true, v.span, v.name+" holds a literal value")
			found = true
			break
		}
		if ep, ok := container.Parse(v.name, v.value); ok && ep.Password != "" && !container.Interpolated(ep.Password) {
			el.SetNote("secrets_in_env", true, v.span, v.name+" holds a connection string with a password")
			found = true
			break
		}
	}
	if !found {
		if p, ok := s.pair("env_file"); ok {
			el.SetUnknown("secrets_in_env", p.Span(), "env_file is not read: the variables it sets are unknown")
		} else {
			el.Default("secrets_in_env", false, "no secret-looking variable of environment holds a literal value")
		}
	}
	for _, v := range s.env {
		if strings.HasPrefix(strings.ToUpper(v.name), "VAULT_") {
			el.SetNote("uses_vault", true, v.span, v.name+": secrets are read from Vault")
			return
		}
	}
	note := "no secret store is referenced (no VAULT_ADDR)"
	if _, ok := s.pair("secrets"); ok {
		note = "compose secrets are files mounted from the host, not a secret store"
	}
	el.Default("uses_vault", false, note)
}

// Bindings of a published port.
const (
	bindAll     = iota // every interface of the host
	bindAddress        // one address (loopback or other)
	bindUnknown        // an address that comes from a variable
)

// port is one entry of ports:.
type port struct {
	container int64  // the container port; 0 when it comes from a variable
	proto     string // as written after "/" or in protocol:, else ""
	bind      int
}

// parsePort reads a ports: entry, short ("8080:80", "127.0.0.1:8080:80/udp", "80") or long
// (target:, published:, host_ip:, protocol:).
func parsePort(n *yamlnode.Node) (port, bool) {
	var pt port
	var target, ip string
	if n == nil {
		return pt, false
	}
	if n.Kind == yamlnode.Map {
		target, ip, pt.proto = n.Get("target").String(), n.Get("host_ip").String(), strings.ToLower(n.Get("protocol").String())
	} else {
		s, ok := n.Str()
		if !ok {
			return pt, false
		}
		s = strings.TrimSpace(s)
		if i := strings.LastIndex(s, "/"); i >= 0 {
			s, pt.proto = s[:i], strings.ToLower(s[i+1:])
		}
		if strings.HasPrefix(s, "[") {
			j := strings.Index(s, "]")
			if j < 0 {
				return pt, false
			}
			ip, s = s[1:j], strings.TrimPrefix(s[j+1:], ":")
		}
		parts := strings.Split(s, ":")
		target = parts[len(parts)-1]
		if len(parts) >= 3 {
			ip = strings.Join(parts[:len(parts)-2], ":")
		}
	}
	target, _, _ = strings.Cut(target, "-")
	switch {
	case strings.Contains(target, "$"):
	default:
		v, err := strconv.ParseInt(target, 10, 64)
		if err != nil || v <= 0 || v > 65535 {
			return pt, false
		}
		pt.container = v
	}
	switch ip {
	case "", "0.0.0.0", "::", "[::]":
		pt.bind = bindAll
	default:
		pt.bind = bindAddress
		if strings.Contains(ip, "$") {
			pt.bind = bindUnknown
		}
	}
	return pt, true
}

// ports sets internet_facing and creates a flow from the internet for every port published
// on all interfaces.
func (x *extractor) ports(s *service) {
	el := s.el
	if mode, ok := s.pair("network_mode"); ok && mode.Value.String() == "host" {
		el.SetUnknown("internet_facing", mode.Span(), "network_mode: host: every port the container listens on is open on the host")
		return
	}
	p, ok := s.pair("ports")
	if !ok || p.Value == nil || len(p.Value.Items) == 0 {
		el.Default("internet_facing", false, "no published ports")
		return
	}
	var facing, unknown, bound *model.Span
	for i, it := range p.Value.Items {
		pt, ok := parsePort(it)
		if !ok {
			if it != nil {
				x.problem(it.Span, "ports: %q is not a port mapping ([HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])", it.String())
			}
			continue
		}
		switch pt.bind {
		case bindUnknown:
			if unknown == nil {
				unknown = &it.Span
			}
			continue
		case bindAddress:
			if bound == nil {
				bound = &it.Span
			}
			continue
		}
		if facing == nil {
			facing = &it.Span
		}
		x.portFlow(s, i, it.Span, pt)
	}
	switch {
	case facing != nil:
		el.SetNote("internet_facing", true, *facing, "published on all of the host's interfaces")
	case unknown != nil:
		el.SetUnknown("internet_facing", *unknown, "the host address of the port comes from a variable")
	case bound != nil:
		el.SetNote("internet_facing", false, *bound, "every published port is bound to one host address")
	default:
		el.Default("internet_facing", false, "no published ports")
	}
}

func (x *extractor) portFlow(s *service, i int, at model.Span, pt port) {
	what := s.name + "/port/" + strconv.Itoa(i)
	fl := &model.Element{ID: x.id(what), Kind: model.Flow, Type: "compose_port", Name: what,
		Span: at, Head: at, From: model.Internet, To: s.el.ID}
	proto := pt.proto
	switch {
	case proto != "" && proto != "tcp":
	case pt.container == 443:
		proto = "https"
	case pt.container == 80 || pt.container == 8080:
		proto = "http"
	default:
		proto = "tcp"
	}
	if proto == pt.proto {
		fl.Set("protocol", proto, at)
	} else {
		fl.SetNote("protocol", proto, at, "from the container port")
	}
	if pt.container > 0 {
		fl.Set("port", pt.container, at)
	} else {
		fl.SetUnknown("port", at, "the container port comes from a variable")
	}
	if proto == "https" {
		fl.SetNote("tls", true, at, "port 443 serves HTTPS")
	} else {
		fl.Default("tls", false, "a published port carries what the container serves; nothing says it is TLS")
	}
	x.els = append(x.els, fl)
	x.raw.actors = append(x.raw.actors, actorRef{id: model.Internet, host: "internet", span: at})
}
