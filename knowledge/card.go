package knowledge

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/model"
)

// Controls are attributes whose true value protects; exposures are those whose true value is
// a risk. The card of an element sorts its boolean attributes into present and missing
// controls, and exposures.
var (
	controls = map[string]bool{"authenticates": true, "authorizes": true, "authenticated": true, "tls": true,
		"encrypted_at_rest": true, "kms_managed_key": true, "behind_waf": true, "rate_limited": true,
		"resource_limits": true, "logs_audit": true, "logs_access": true, "read_only_fs": true, "uses_vault": true,
		"segmented": true, "backup": true, "versioned": true, "deletion_protection": true, "image_pinned": true,
		"public_access_block": true, "iam_auth": true, "tls_in_transit": true, "imdsv2": true, "healthcheck": true,
		// read by the cloud threats (AWS, Azure, Google Cloud, CLOUD-*)
		"sse_configured": true, "restricts_public_buckets": true, "redirects_to_https": true, "key_rotation": true,
		"log_validation": true, "multi_region": true, "image_scanning": true, "immutable_tags": true,
		"drops_invalid_headers": true, "tracing": true, "secure_string": true, "expires": true, "rbac": true,
		"managed_identity": true, "defender": true, "alerts": true, "client_certs": true, "network_restricted": true,
		"logging": true, "flow_logs": true, "secrets_encrypted": true, "network_policy": true, "uniform_access": true,
		"log_connections": true, "log_disconnections": true, "private_nodes": true, "workload_identity": true,
		"shielded_nodes": true, "auto_upgrade": true, "shielded": true, "dnssec": true}
	exposures = map[string]bool{"internet_facing": true, "public": true, "runs_as_root": true, "privileged": true,
		"host_network": true, "secrets_in_env": true, "docker_socket": true, "outbound_internet": true,
		"fetches_urls": true, "service_account_token": true, "public_acl": true, "public_policy": true,
		"crosses_boundary": true, "add_remote": true, "undocumented": true, "not_implemented": true, "zone_drift": true,
		// read by the cloud threats
		"admits_traffic": true, "local_accounts": true, "ftp_allowed": true, "password_auth": true, "admin_user": true,
		"endpoint_open": true, "public_ip": true, "local_infile": true, "legacy_abac": true, "client_certificates": true,
		"key_in_state": true, "default_sa_full_scope": true, "serial_port": true, "os_login_disabled": true,
		"ip_forwarding": true, "raw_disk_key": true, "project_ssh_keys": true, "weak_dnssec": true,
		"audit_exemptions": true}
)

// Card renders what the model knows of an element, in Markdown: what it is and where it sits,
// its flows in and out, the data it holds, its controls present and missing, its threats
// (findings, accepted ones marked) and the attack paths through it, then every fact with
// where it came from. It is the editor's hover on an element.
func (l *Library) Card(g *model.Graph, el *model.Element, findings []model.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s %s\n\n", el.Kind, code(el.Name))
	var facts []string
	facts = append(facts, "**Type:** "+code(el.Type))
	// An entry point (a route, a flow's call site in code) speaks for the component that
	// owns it: its zone and its flows are the owner's.
	owner := ownerOf(g, el)
	if owner != nil {
		facts = append(facts, "**Of:** "+string(owner.Kind)+" "+code(owner.Name))
	}
	zoneOf := el.ID
	if owner != nil && g.Zone(el.ID) == nil {
		zoneOf = owner.ID
	}
	if z := g.Zone(zoneOf); z != nil {
		s := "**Zone:** " + code(z.Name)
		if t, ok := z.Attrs.At("trust").Value.(string); ok {
			s += " (trust " + t + ")"
		}
		facts = append(facts, s)
	}
	if t, ok := el.Attrs.At("technology").Value.(string); ok {
		facts = append(facts, "**Technology:** "+escape(t))
	}
	if el.Provenance != model.Inferred {
		facts = append(facts, "**Provenance:** "+string(el.Provenance))
	}
	if len(el.Sources) > 1 {
		var where []string
		for _, s := range el.Sources {
			where = append(where, code(s.String()))
		}
		facts = append(facts, "**Described in:** "+strings.Join(where, ", "))
	}
	if el.Kind != model.Flow && el.Kind != model.Path && g.ReachableFromInternet(el.ID) {
		facts = append(facts, "**Reachable from the internet**")
	}
	for _, s := range facts {
		b.WriteString("- " + s + "\n")
	}
	b.WriteString("\n")

	if el.Kind == model.Flow {
		fmt.Fprintf(&b, "**Flow:** %s → %s%s\n\n", code(name(g, el.From)), code(name(g, el.To)), escape(flowSummary(el)))
	} else {
		flows := func(title string, fs []*model.Element, other func(*model.Element) string) {
			if len(fs) == 0 {
				return
			}
			fmt.Fprintf(&b, "**%s (%d)**\n\n", title, len(fs))
			for i, f := range fs {
				if i == 10 {
					fmt.Fprintf(&b, "- … and %d more\n", len(fs)-10)
					break
				}
				fmt.Fprintf(&b, "- %s%s — %s\n", code(name(g, other(f))), escape(flowSummary(f)), code(f.Head.String()))
			}
			b.WriteString("\n")
		}
		of := el.ID
		if owner != nil {
			of = owner.ID
		}
		flows("Inbound flows", g.Inbound(of), func(f *model.Element) string { return f.From })
		flows("Outbound flows", g.Outbound(of), func(f *model.Element) string { return f.To })
	}

	if a, ok := el.Attrs.Get("classification"); ok && a.Value != nil {
		fmt.Fprintf(&b, "**Data:** classified %s", code(fmt.Sprint(a.Value)))
		if d, ok := el.Attrs.At("data").Value.([]any); ok && len(d) > 0 {
			fmt.Fprintf(&b, ", holds %s", code(Render(model.Attr{Value: d})))
		}
		b.WriteString("\n\n")
	}

	var present, missing, exposed []string
	for _, k := range el.Attrs.Names() {
		v, ok := el.Attrs.At(k).Value.(bool)
		switch {
		case !ok:
		case controls[k] && v:
			present = append(present, code(k))
		case controls[k]:
			missing = append(missing, code(k))
		case exposures[k] && v:
			exposed = append(exposed, code(k))
		}
	}
	for _, row := range []struct {
		label string
		items []string
	}{{"Controls present", present}, {"Controls missing", missing}, {"Exposure", exposed}} {
		if len(row.items) > 0 {
			fmt.Fprintf(&b, "**%s:** %s\n\n", row.label, strings.Join(row.items, ", "))
		}
	}

	if len(findings) > 0 {
		r := model.ResidualOf(findings)
		fmt.Fprintf(&b, "**Residual risk:** %s\n\n", ResidualText(r))
		b.WriteString("**Threats**\n\n")
		for _, f := range findings {
			s := fmt.Sprintf("- %s %s: %s", f.Severity, code(f.ThreatID), escape(f.Message))
			if f.Suppressed != nil {
				s += " — *accepted: " + escape(f.Suppressed.Reason) + "*"
			} else if f.Mitigated != nil {
				s += " — *mitigated (declared, not observed): " + escape(f.Mitigated.Reason) + "*"
			}
			b.WriteString(s + "\n")
		}
		b.WriteString("\n")
	}

	if paths := g.PathsThrough(el.ID); len(paths) > 0 {
		b.WriteString("**Attack paths through it**\n\n")
		for i, p := range paths {
			if i == 5 {
				fmt.Fprintf(&b, "- … and %d more (`threatls model --paths`)\n", len(paths)-5)
				break
			}
			risk, _ := p.Attrs.At("risk").Value.(int64)
			fmt.Fprintf(&b, "- risk %d: %s", risk, escape(p.Name))
			if m, ok := p.Attrs.At("missing_controls").Value.([]any); ok && len(m) > 0 {
				fmt.Fprintf(&b, " (no %s)", escape(strings.ReplaceAll(strings.Trim(fmt.Sprint(m), "[]"), " ", ", ")))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}

	if el.Attrs.Len() > 0 {
		b.WriteString("**Facts and where they come from**\n\n")
		for _, k := range el.Attrs.Names() {
			a := el.Attrs.At(k)
			b.WriteString("- " + evidenceLine(model.Evidence{Attr: k, Value: Render(a), Origin: a.Origin, Span: a.Span, Note: a.Note}) + "\n")
		}
	}
	return b.String()
}

// ownerOf returns the element el belongs to (its Parent), looked up among the fused
// elements' members when the parent was fused into another; nil when el has none.
func ownerOf(g *model.Graph, el *model.Element) *model.Element {
	if el.Parent == "" || el.Kind == model.Flow {
		return nil
	}
	if p := g.Element(el.Parent); p != nil {
		return p
	}
	for _, e := range g.Elements() {
		for _, m := range e.Members {
			if m == el.Parent {
				return e
			}
		}
	}
	return nil
}

func name(g *model.Graph, id string) string {
	if e := g.Element(id); e != nil {
		return e.Name
	}
	return id
}

// flowSummary renders a flow's protocol, port, encryption and authentication: " (https:443,
// TLS, authenticated)".
func flowSummary(f *model.Element) string {
	var parts []string
	proto, _ := f.Attrs.At("protocol").Value.(string)
	port, _ := f.Attrs.At("port").Value.(int64)
	switch {
	case proto != "" && port != 0:
		parts = append(parts, fmt.Sprintf("%s:%d", proto, port))
	case proto != "":
		parts = append(parts, proto)
	case port != 0:
		parts = append(parts, fmt.Sprintf("port %d", port))
	}
	tri := func(attr, yes, no string) {
		if v, ok := f.Attrs.At(attr).Value.(bool); ok {
			if v {
				parts = append(parts, yes)
			} else {
				parts = append(parts, no)
			}
		}
	}
	tri("tls", "TLS", "plaintext")
	tri("authenticated", "authenticated", "unauthenticated")
	tri("blocked", "blocked by policy", "")
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return " (" + strings.Join(keep, ", ") + ")"
}

// ResidualText renders residual risk for people: "9.5 (high) from 4 open risks; 2.0
// accepted, 3.0 mitigated by declaration, of 14.5 inherent".
func ResidualText(r model.Residual) string {
	s := fmt.Sprintf("%.1f", r.Score)
	if r.Level != "" {
		s += " (" + string(r.Level) + ")"
	}
	s += fmt.Sprintf(" from %d open", r.Open)
	if r.Open == 1 {
		s += " risk"
	} else {
		s += " risks"
	}
	if r.Accepted > 0 || r.Mitigated > 0 {
		s += fmt.Sprintf("; %.1f accepted, %.1f mitigated by declaration, of %.1f inherent", r.Accepted, r.Mitigated, r.Inherent)
	}
	return s
}
