package compose

import (
	"strings"

	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/analyzers/yamlnode"
)

// hardening sets what confines a service's container besides privileged: host_pid and
// host_ipc (pid: host, ipc: host), capabilities_added (cap_add), privilege_escalation (false
// with security_opt no-new-privileges), seccomp (Unconfined with security_opt
// seccomp:unconfined, else Docker's default profile), confinement_disabled (seccomp, AppArmor
// or SELinux labelling turned off by security_opt) and host_path (a bind mount of a system
// directory of the host; the Docker socket is docker_socket).
func (x *extractor) hardening(s *service) {
	el := s.el
	for _, k := range []string{"pid", "ipc"} {
		attr := "host_" + k
		if p, ok := s.pair(k); ok && container.Interpolated(p.Value.String()) {
			el.SetUnknown(attr, p.Span(), k+" comes from a variable")
		} else if ok {
			el.SetNote(attr, p.Value.String() == "host", p.Span(), k+": "+p.Value.String())
		} else {
			el.Default(attr, false, "no "+k+": host: the container has a "+strings.ToUpper(k)+" namespace of its own")
		}
	}

	var added []any
	var at *yamlnode.Node
	for _, it := range seq(s.get("cap_add")) {
		if container.Interpolated(it.String()) {
			el.SetUnknown("capabilities_added", it.Span, "cap_add names a capability from a variable")
			at = nil
			added = nil
			break
		}
		c := container.Capability(it.String())
		if c == "" {
			continue
		}
		added = append(added, c)
		if at == nil || container.CapabilityRank(c) > container.CapabilityRank(container.Capability(at.String())) {
			at = it
		}
	}
	switch _, unknown := el.Attrs.Get("capabilities_added"); {
	case unknown:
	case at != nil:
		el.SetNote("capabilities_added", added, at.Span, "cap_add "+at.String())
	default:
		el.Default("capabilities_added", []any{}, "no cap_add")
	}

	var noNew, unconfinedSeccomp, disabled, variable *yamlnode.Node
	disabledNote := ""
	for _, it := range seq(s.get("security_opt")) {
		opt := strings.ToLower(strings.TrimSpace(it.String()))
		if container.Interpolated(opt) && variable == nil {
			variable = it
		}
		k, v, _ := strings.Cut(strings.Replace(opt, "=", ":", 1), ":")
		switch {
		case k == "no-new-privileges" && (v == "" || v == "true"):
			noNew = it
		case k == "seccomp" && v == "unconfined":
			unconfinedSeccomp = it
			if disabled == nil {
				disabled, disabledNote = it, "security_opt "+it.String()+" turns off the seccomp filter"
			}
		case k == "apparmor" && v == "unconfined" || k == "label" && v == "disable" || k == "systempaths" && v == "unconfined":
			if disabled == nil {
				disabled, disabledNote = it, "security_opt "+it.String()+" turns off a confinement of the container"
			}
		}
	}
	if variable != nil {
		// An option from a variable may be any of them: what it may turn off is unknown.
		for _, a := range []string{"privilege_escalation", "seccomp", "confinement_disabled"} {
			el.SetUnknown(a, variable.Span, "security_opt has an option from a variable")
		}
		noNew, unconfinedSeccomp, disabled = nil, nil, nil
	}
	switch {
	case variable != nil:
	case noNew != nil:
		el.SetNote("privilege_escalation", false, noNew.Span, "no-new-privileges: setuid binaries cannot gain privileges")
	default:
		el.Default("privilege_escalation", true, "no security_opt no-new-privileges: a setuid binary in the image can gain privileges")
	}
	switch {
	case variable != nil:
	case unconfinedSeccomp != nil:
		el.SetNote("seccomp", "Unconfined", unconfinedSeccomp.Span, "seccomp:unconfined")
	default:
		el.Default("seccomp", "RuntimeDefault", "Docker applies its default seccomp profile")
	}
	switch {
	case variable != nil:
	case disabled != nil:
		el.SetNote("confinement_disabled", true, disabled.Span, disabledNote)
	default:
		el.Default("confinement_disabled", false, "no security_opt turns off seccomp, AppArmor or SELinux labelling")
	}

	// healthcheck: only when the service says (else the image's HEALTHCHECK decides, which
	// the Dockerfile's element brings when it fuses with the service).
	if p, ok := s.pair("healthcheck"); ok {
		test := strings.Join(p.Value.Get("test").Strings(), " ") + p.Value.Get("test").String()
		disable, _ := p.Value.Get("disable").Bool()
		on := !disable && !strings.EqualFold(strings.TrimSpace(test), "NONE")
		el.Set("healthcheck", on, p.Span())
	}

	for _, it := range seq(s.get("volumes")) {
		src := ""
		if it != nil && it.Kind == yamlnode.Map {
			if it.Get("type").String() == "bind" {
				src = it.Get("source").String()
			}
		} else {
			src, _, _ = strings.Cut(it.String(), ":")
		}
		if container.SensitiveHostPath(src) {
			el.SetNote("host_path", true, it.Span, "a bind mount of the host's "+src)
			return
		}
	}
	el.Default("host_path", false, "no bind mount of a system directory of the host")
}

// seq returns the items of a sequence; nothing for anything else (nil included).
func seq(n *yamlnode.Node) []*yamlnode.Node {
	if n == nil || n.Kind != yamlnode.Seq {
		return nil
	}
	return n.Items
}
