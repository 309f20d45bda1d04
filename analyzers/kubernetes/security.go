package kubernetes

import (
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
	"github.com/threatls/threatls/model"
)

// capabilities sets capabilities_added: the capabilities the containers add (upper case,
// without CAP_, each once), spanning the most dangerous of them (see container.CapabilityRank).
func (b *builder) capabilities(w *workload) {
	var added []any
	var at *yamlnode.Node
	atName, atC := "", ""
	for _, c := range w.containers {
		for _, n := range items(c.Path("securityContext", "capabilities", "add")) {
			if unknownIfTemplated(w, "capabilities_added", n) {
				return
			}
			cp := container.Capability(n.String())
			if cp == "" {
				continue
			}
			if !containsAny(added, cp) {
				added = append(added, cp)
			}
			if at == nil || container.CapabilityRank(cp) > container.CapabilityRank(atName) {
				at, atName, atC = n, cp, name(c)
			}
		}
	}
	if at == nil {
		w.el.Default("capabilities_added", []any{}, "no container adds a capability")
		return
	}
	w.el.SetNote("capabilities_added", added, at.Span, "container "+atC+" adds "+atName)
}

func containsAny(xs []any, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// escalation sets privilege_escalation: false only when every container sets
// allowPrivilegeEscalation: false (the default lets a setuid binary gain privileges).
func (b *builder) escalation(w *workload) {
	var first *yamlnode.Node
	for _, c := range w.containers {
		n := c.Path("securityContext", "allowPrivilegeEscalation")
		if unknownIfTemplated(w, "privilege_escalation", n) {
			return
		}
		v, ok := n.Bool()
		switch {
		case ok && v:
			w.el.SetNote("privilege_escalation", true, n.Span, "container "+name(c)+" allows privilege escalation")
			return
		case !ok:
			w.el.Default("privilege_escalation", true, "container "+name(c)+" does not set allowPrivilegeEscalation: false")
			return
		case first == nil:
			first = n
		}
	}
	w.el.Set("privilege_escalation", false, first.Span)
}

// profile normalises a seccomp or AppArmor profile, from a securityContext's type
// (RuntimeDefault, Localhost, Unconfined) or a legacy annotation's value (runtime/default,
// docker/default, localhost/x, unconfined).
func profile(v string) string {
	switch l := strings.ToLower(v); {
	case l == "runtimedefault" || l == "runtime/default" || l == "docker/default":
		return "RuntimeDefault"
	case l == "localhost" || strings.HasPrefix(l, "localhost/"):
		return "Localhost"
	case l == "unconfined":
		return "Unconfined"
	}
	return ""
}

// confinement sets seccomp (RuntimeDefault, Localhost or Unconfined: the weakest profile of
// the containers; Unconfined, defaulted, when one sets none, since the kubelet's SeccompDefault
// is off unless configured) and confinement_disabled (a container is explicitly unconfined by
// seccomp or AppArmor).
func (b *builder) confinement(w *workload) {
	annotations := w.meta.Get("annotations")
	ann := func(k string) *yamlnode.Node {
		if p, ok := annotations.Pair(k); ok {
			return p.Value
		}
		return nil
	}
	var disabled *yamlnode.Node
	disabledNote := ""
	var unset string
	var weakest *yamlnode.Node
	weakestVal := ""
	for _, c := range w.containers {
		var n *yamlnode.Node
		if t := c.Path("securityContext", "seccompProfile", "type"); t != nil {
			n = t
		} else if a := ann("container.seccomp.security.alpha.kubernetes.io/" + name(c)); a != nil {
			n = a
		} else if t := w.pod.Path("securityContext", "seccompProfile", "type"); t != nil {
			n = t
		} else if a := ann("seccomp.security.alpha.kubernetes.io/pod"); a != nil {
			n = a
		}
		v := ""
		if n != nil {
			v = profile(n.String())
		}
		if unknownIfTemplated(w, "seccomp", n) {
			return
		}
		switch {
		case v == "":
			if unset == "" {
				unset = name(c)
			}
		case v == "Unconfined":
			if disabled == nil {
				disabled, disabledNote = n, "container "+name(c)+" runs without a seccomp profile (Unconfined)"
			}
			weakest, weakestVal = n, v
		case weakest == nil || weakestVal == "RuntimeDefault" && v == "Localhost":
			if weakestVal != "Unconfined" {
				weakest, weakestVal = n, v
			}
		}
		// AppArmor: the container's securityContext, the pod's, or the beta annotation.
		var a *yamlnode.Node
		if t := c.Path("securityContext", "appArmorProfile", "type"); t != nil {
			a = t
		} else if x := ann("container.apparmor.security.beta.kubernetes.io/" + name(c)); x != nil {
			a = x
		} else if t := w.pod.Path("securityContext", "appArmorProfile", "type"); t != nil {
			a = t
		}
		if a != nil && profile(a.String()) == "Unconfined" && disabled == nil {
			disabled, disabledNote = a, "container "+name(c)+" runs without an AppArmor profile (unconfined)"
		}
	}
	switch {
	case weakestVal == "Unconfined":
		w.el.SetNote("seccomp", "Unconfined", weakest.Span, disabledNote)
	case unset != "":
		w.el.Default("seccomp", "Unconfined", "container "+unset+" sets no seccompProfile: it runs unconfined unless the kubelet enables SeccompDefault")
	default:
		w.el.Set("seccomp", weakestVal, weakest.Span)
	}
	if disabled != nil {
		w.el.SetNote("confinement_disabled", true, disabled.Span, disabledNote)
	} else {
		w.el.Default("confinement_disabled", false, "no container is explicitly unconfined by seccomp or AppArmor")
	}
}

// runtimeSockets are the sockets of container runtimes: whoever reaches one starts containers
// on the node.
var runtimeSockets = []string{"docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock"}

// hostPath sets host_path (a volume of the pod mounts a directory or file of the node) and
// docker_socket (one mounts a container runtime's socket, which is not counted as host_path).
func (b *builder) hostPath(w *workload) {
	var dir, sock *yamlnode.Node
	var dirNote, sockNote string
	for _, v := range items(w.pod.Get("volumes")) {
		hp := v.Get("hostPath")
		if hp == nil {
			continue
		}
		p := hp.Get("path")
		at := hp
		if p != nil {
			at = p
		}
		isSock := false
		for _, s := range runtimeSockets {
			isSock = isSock || strings.HasSuffix(p.String(), "/"+s)
		}
		switch {
		case isSock && sock == nil:
			sock, sockNote = at, "volume "+v.Get("name").String()+" mounts "+p.String()+": control of the node's containers"
		case !isSock && dir == nil:
			dir, dirNote = at, "volume "+v.Get("name").String()+" mounts the node's "+p.String()
		}
	}
	if dir != nil {
		w.el.SetNote("host_path", true, dir.Span, dirNote)
	} else {
		w.el.Default("host_path", false, "no hostPath volume other than a runtime socket")
	}
	if sock != nil {
		w.el.SetNote("docker_socket", true, sock.Span, sockNote)
	} else {
		w.el.Default("docker_socket", false, "no container runtime socket is mounted")
	}
}

// probes sets probes: every container has a readiness or a liveness probe.
func (b *builder) probes(w *workload) {
	var first model.Span
	for _, c := range w.containers {
		p, ok := c.Pair("readinessProbe")
		if !ok {
			p, ok = c.Pair("livenessProbe")
		}
		if !ok {
			w.el.Default("probes", false, "container "+name(c)+" has no readinessProbe and no livenessProbe")
			return
		}
		if first.IsZero() {
			first = p.Key.Span
		}
	}
	w.el.Set("probes", true, first)
}
