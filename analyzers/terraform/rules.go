package terraform

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// The network rules of other clouds than AWS become flows with the attributes of AWS's
// security group rules (docs/attributes.md, network rules): protocol, from_port, to_port,
// source_cidrs, from_internet. A rule that allows several port ranges is one flow per range,
// so that a rule for 22 and 443 does not read as everything in between.

// ruleSpec is what a network rule allows, as read from its arguments.
type ruleSpec struct {
	proto   *Attribute // nil: every protocol
	ports   []portSpan // nil: every port
	portsAt model.Span
	srcs    *Attribute // the sources (a string or a list); nil with srcsDefault
	// srcsDefault, when srcs is nil, are the sources the provider assumes, with a note.
	srcsDefault []any
	srcsNote    string
	// unknown says why whether the rule applies at all is not known (direction, access).
	unknown string
}

// portSpan is one port range a rule allows; from < 0 when the range is unknown.
type portSpan struct {
	from, to int64
	text     string
}

// parsePorts reads port ranges: "22", "20-30", "*", "any", "22/22" (Alibaba), "-1/-1".
func parsePorts(s string) (portSpan, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "*", "any", "-1/-1", "-1", "0-65535", "1-65535", "all":
		return portSpan{0, 65535, s}, true
	}
	sep := "-"
	if strings.Contains(s, "/") {
		sep = "/"
	}
	a, b, found := strings.Cut(s, sep)
	if !found {
		b = a
	}
	from, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	to, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if err1 != nil || err2 != nil {
		return portSpan{}, false
	}
	return portSpan{from, to, s}, true
}

// ruleFlows creates the flows of a rule: one per port range, the first named name, the
// others name[1], name[2], …
func (m *module) ruleFlows(r *res, b *Block, name, typ, tech string, spec ruleSpec) []*model.Element {
	ports := spec.ports
	if ports == nil {
		ports = []portSpan{{0, 65535, "all"}}
	}
	var out []*model.Element
	for i, p := range ports {
		n := name
		if i > 0 {
			n = fmt.Sprintf("%s[%d]", name, i)
		}
		fl := &model.Element{ID: m.id(n), Kind: model.Flow, Type: typ, Name: n, Span: b.Span, Head: b.Head}
		fl.Set("technology", tech, b.Head)
		fl.Set("in_scope", true, b.Head)
		if c := mapping.ProviderOf(r.typ); c != "" {
			fl.Set("cloud", c, b.Head)
		}
		if r.el != nil && r.el != fl {
			fl.Parent = r.el.ID
		}
		m.ruleAttrs(fl, spec, p)
		m.out = append(m.out, fl)
		out = append(out, fl)
	}
	return out
}

// ruleAttrs records a rule's protocol, port range and sources on fl.
func (m *module) ruleAttrs(fl *model.Element, spec ruleSpec, p portSpan) {
	all := false
	if a := spec.proto; a != nil {
		if v := m.setAttr(fl, "protocol", a, tString); v != nil {
			proto := mapping.Protocol(v.(string))
			at := fl.Attrs.At("protocol")
			at.Value = proto
			fl.Attrs.Set("protocol", at)
			all = proto == "all"
		}
	} else {
		fl.Default("protocol", "all", "the rule names no protocol: every protocol")
		all = true
	}
	portsAt := spec.portsAt
	if portsAt.IsZero() {
		portsAt = fl.Head
	}
	switch {
	case p.from < 0:
		fl.SetUnknown("from_port", portsAt, "the port range is not known")
		fl.SetUnknown("to_port", portsAt, "the port range is not known")
	case all && spec.ports == nil:
		fl.SetNote("from_port", int64(0), portsAt, "every port")
		fl.SetNote("to_port", int64(65535), portsAt, "every port")
	default:
		fl.SetNote("from_port", p.from, portsAt, "")
		fl.SetNote("to_port", p.to, portsAt, "")
	}
	var srcs []any
	at, unknown := fl.Head, ""
	if a := spec.srcs; a != nil {
		at = a.Span
		v, _ := m.resolve(a.Expr)
		if s, ok := v.(string); ok {
			v = []any{s}
		}
		l, ok := v.([]any)
		switch {
		case !ok || !known(v):
			if unknown = unknownNote(v); unknown == "" {
				unknown = a.Name + " is not a list of address prefixes"
			}
		default:
			srcs = l
		}
	} else {
		srcs = spec.srcsDefault
	}
	if spec.unknown != "" && unknown == "" {
		unknown = spec.unknown
	}
	internet := false
	for _, x := range srcs {
		if s, ok := x.(string); ok && mapping.Internet(s) {
			internet = true
		}
	}
	switch {
	case unknown != "":
		fl.SetUnknown("source_cidrs", at, unknown)
		fl.SetUnknown("from_internet", at, unknown)
	case spec.srcs == nil && len(srcs) == 0:
		fl.Default("source_cidrs", []any{}, "the rule admits no address range")
		fl.Default("from_internet", false, "the rule admits no address range")
	case spec.srcs == nil:
		fl.Default("source_cidrs", srcs, spec.srcsNote)
		fl.Default("from_internet", internet, spec.srcsNote)
	default:
		fl.SetNote("source_cidrs", srcs, at, "")
		fl.SetNote("from_internet", internet, at, "")
	}
	if internet && unknown == "" {
		fl.From = InternetID
	}
}

// ports reads the port ranges of a rule from a string argument or a list argument.
func (m *module) ports(b *Block, args ...string) ([]portSpan, model.Span) {
	for _, arg := range args {
		a := m.attr(b, arg)
		if a == nil {
			continue
		}
		v, _ := m.resolve(a.Expr)
		if s, ok := asString(v); ok {
			v = []any{s}
		}
		l, ok := v.([]any)
		if !ok || !known(v) {
			return []portSpan{{from: -1}}, a.Span
		}
		var out []portSpan
		for _, x := range l {
			s, _ := asString(x)
			str, _ := s.(string)
			p, ok := parsePorts(str)
			if !ok {
				p = portSpan{from: -1}
			}
			out = append(out, p)
		}
		if len(out) == 0 {
			return nil, a.Span
		}
		return out, a.Span
	}
	return nil, model.Span{}
}

// literalIs reports whether argument arg of b is the string want (without case), and whether
// it is known at all.
func (m *module) literalIs(b *Block, arg, want, def string) (is, known bool) {
	a := m.attr(b, arg)
	if a == nil {
		return strings.EqualFold(def, want), true
	}
	v, _ := m.resolve(a.Expr)
	s, ok := asString(v)
	if !ok {
		return false, false
	}
	return strings.EqualFold(s.(string), want), true
}

// --- Azure ---

// buildNSG creates a network security group and the flows of its inline inbound rules.
func buildNSG(m *module, r *res) {
	m.mapped(r)
	i := 0
	for _, sr := range r.b.Nested("security_rule") {
		if spec, ok := m.nsgSpec(sr); ok {
			name := fmt.Sprintf("%s.security_rule[%d]", r.addr, i)
			for _, fl := range m.ruleFlows(r, sr, name, r.typ+".security_rule", "nsg", spec) {
				fl.To = r.el.ID
			}
			i++
		}
	}
}

// linkNSGRule creates the flows of an azurerm_network_security_rule, to the group it names.
func linkNSGRule(m *module, r *res) {
	spec, ok := m.nsgSpec(r.b)
	if !ok {
		return
	}
	var to string
	if a := m.attr(r.b, "network_security_group_name"); a != nil {
		if g := m.target(a, "azurerm_network_security_group"); g != nil && g.el != nil {
			to = g.el.ID
		}
	}
	r.el = nil
	for _, fl := range m.ruleFlows(r, r.b, r.addr, r.typ, "nsg", spec) {
		fl.To = to
		if r.el == nil {
			r.el = fl
		}
		if to != "" {
			fl.Parent = to
		}
	}
}

// nsgSpec reads an inbound Allow rule; ok is false for outbound and Deny rules.
func (m *module) nsgSpec(b *Block) (ruleSpec, bool) {
	spec := ruleSpec{}
	inbound, k1 := m.literalIs(b, "direction", "Inbound", "")
	allow, k2 := m.literalIs(b, "access", "Allow", "")
	if k1 && !inbound || k2 && !allow {
		return spec, false
	}
	if !k1 || !k2 {
		spec.unknown = "whether the rule is an inbound Allow rule is not known"
	}
	if a := m.attr(b, "protocol"); a != nil {
		spec.proto = a
	}
	spec.ports, spec.portsAt = m.ports(b, "destination_port_range", "destination_port_ranges")
	spec.srcs = m.attr(b, "source_address_prefix")
	if spec.srcs == nil {
		spec.srcs = m.attr(b, "source_address_prefixes")
	}
	return spec, true
}

// dbPorts are the ports of the databases an Azure firewall rule admits to.
var dbPorts = map[string]int64{"mssql": 1433, "sql": 1433, "postgresql": 5432, "mysql": 3306}

// linkDBFirewallRule makes an Azure database firewall rule the flow to its server from the
// addresses it admits: start 0.0.0.0 and end 255.255.255.255 is the internet; 0.0.0.0 to
// 0.0.0.0 admits Azure's own services.
func linkDBFirewallRule(m *module, r *res) {
	fl := m.mapped(r)
	kind := strings.Split(strings.TrimPrefix(r.typ, "azurerm_"), "_")[0]
	port := dbPorts[kind]
	fl.Default("protocol", "tcp", "database connections use TCP")
	fl.Default("from_port", port, fmt.Sprintf("the %s port", kind))
	fl.Default("to_port", port, fmt.Sprintf("the %s port", kind))
	for _, arg := range []string{"server_id", "server_name"} {
		if a := m.attr(r.b, arg); a != nil {
			if s := m.target(a, "azurerm_mssql_server", "azurerm_sql_server", "azurerm_postgresql_server",
				"azurerm_mysql_server", "azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"); s != nil && s.el != nil {
				fl.To, fl.Parent = s.el.ID, s.el.ID
			}
		}
	}
	start, end := m.attr(r.b, "start_ip_address"), m.attr(r.b, "end_ip_address")
	if start == nil || end == nil {
		return
	}
	sv, _ := m.resolve(start.Expr)
	ev, _ := m.resolve(end.Expr)
	s, ok1 := sv.(string)
	e, ok2 := ev.(string)
	if !ok1 || !ok2 {
		note := unknownNote(sv)
		if note == "" {
			note = unknownNote(ev)
		}
		fl.SetUnknown("source_cidrs", start.Span, note)
		fl.SetUnknown("from_internet", start.Span, note)
		return
	}
	fl.SetNote("source_cidrs", []any{s + "-" + e}, start.Span, "")
	switch {
	case s == "0.0.0.0" && e == "0.0.0.0":
		fl.SetNote("from_internet", false, start.Span, "0.0.0.0 to 0.0.0.0 admits Azure's own services, not the internet")
	case s == "0.0.0.0" && (e == "255.255.255.255" || strings.HasPrefix(e, "255.")):
		fl.SetNote("from_internet", true, start.Span, "the range covers every address")
		fl.From = InternetID
	default:
		fl.SetNote("from_internet", false, start.Span, "")
	}
}

// linkAuditing records logging on the SQL server an auditing policy names.
func linkAuditing(m *module, r *res) {
	m.mapped(r)
	for _, arg := range []string{"server_id", "database_id"} {
		if s := m.target(m.attr(r.b, arg), "azurerm_mssql_server", "azurerm_sql_server"); s != nil && s.el != nil {
			if a := m.attr(r.b, "enabled"); a != nil && !isTrue(m, a) {
				s.el.SetNote("logging", false, a.Span, "the auditing policy "+r.addr+" is disabled")
				continue
			}
			s.el.SetNote("logging", true, r.b.Head, "audited by "+r.addr)
		}
	}
}

// --- Google Cloud ---

// buildFirewall creates the flows of a google_compute_firewall's allow blocks: for INGRESS
// rules that are not disabled. Without source ranges, tags or service accounts, an ingress
// rule admits 0.0.0.0/0.
func buildFirewall(m *module, r *res) {
	m.mapped(r)
	if in, known := m.literalIs(r.b, "direction", "INGRESS", "INGRESS"); known && !in {
		return
	}
	if a := m.attr(r.b, "disabled"); a != nil && isTrue(m, a) {
		return
	}
	spec := ruleSpec{srcs: m.attr(r.b, "source_ranges")}
	if spec.srcs == nil {
		if m.attr(r.b, "source_tags") != nil || m.attr(r.b, "source_service_accounts") != nil {
			spec.srcsNote = "the rule admits instances by tag or service account"
		} else {
			spec.srcsDefault = []any{"0.0.0.0/0"}
			spec.srcsNote = "no source_ranges, source_tags or source_service_accounts: the rule admits 0.0.0.0/0"
		}
	}
	k := 0
	for _, al := range r.b.Nested("allow") {
		s := spec
		s.proto = m.attr(al, "protocol")
		s.ports, s.portsAt = m.ports(al, "ports")
		for _, fl := range m.ruleFlows(r, al, fmt.Sprintf("%s.allow[%d]", r.addr, k), r.typ+".allow", "gcp-firewall", s) {
			_ = fl
			k++
		}
	}
}

// --- Alibaba Cloud, Oracle Cloud ---

// linkAlicloudRule creates the flow of an alicloud_security_group_rule of type ingress and
// policy accept.
func linkAlicloudRule(m *module, r *res) {
	if in, known := m.literalIs(r.b, "type", "ingress", ""); known && !in {
		return
	}
	if acc, known := m.literalIs(r.b, "policy", "accept", "accept"); known && !acc {
		return
	}
	spec := ruleSpec{proto: m.attr(r.b, "ip_protocol"), srcs: m.attr(r.b, "cidr_ip")}
	spec.ports, spec.portsAt = m.ports(r.b, "port_range")
	if spec.srcs == nil {
		spec.srcs = m.attr(r.b, "ipv6_cidr_ip")
	}
	m.ruleFlows(r, r.b, r.addr, r.typ, "alicloud-security-group", spec)
}

// buildSecurityList creates the flows of an oci_core_security_list's ingress rules.
func buildSecurityList(m *module, r *res) {
	m.mapped(r)
	for i, in := range r.b.Nested("ingress_security_rules") {
		spec := m.ociSpec(in)
		for _, fl := range m.ruleFlows(r, in, fmt.Sprintf("%s.ingress_security_rules[%d]", r.addr, i), r.typ+".ingress_security_rules", "oci-security-list", spec) {
			fl.To = r.el.ID
		}
	}
}

// linkOCIRule creates the flow of an oci_core_network_security_group_security_rule.
func linkOCIRule(m *module, r *res) {
	if in, known := m.literalIs(r.b, "direction", "INGRESS", ""); known && !in {
		return
	}
	m.ruleFlows(r, r.b, r.addr, r.typ, "oci-nsg", m.ociSpec(r.b))
}

// ociSpec reads an OCI rule: protocol "6" (TCP), "17" (UDP), "all"; source; and the
// destination ports of tcp_options or udp_options.
func (m *module) ociSpec(b *Block) ruleSpec {
	spec := ruleSpec{proto: m.attr(b, "protocol"), srcs: m.attr(b, "source")}
	for _, o := range []string{"tcp_options", "udp_options"} {
		opt := b.First(o)
		if opt == nil {
			continue
		}
		rng := opt.First("destination_port_range")
		if rng == nil {
			rng = opt
		}
		lo, hi := m.attr(rng, "min"), m.attr(rng, "max")
		if lo == nil || hi == nil {
			continue
		}
		a, _ := m.resolve(lo.Expr)
		z, _ := m.resolve(hi.Expr)
		x, ok1 := asInt(a)
		y, ok2 := asInt(z)
		if ok1 && ok2 {
			spec.ports = []portSpan{{x.(int64), y.(int64), ""}}
		} else {
			spec.ports = []portSpan{{from: -1}}
		}
		spec.portsAt = lo.Span
	}
	return spec
}

// linkDiagnostics records logging on the resource an azurerm_monitor_diagnostic_setting sends
// logs for (target_resource_id).
func linkDiagnostics(m *module, r *res) {
	m.mapped(r)
	addr, _, ok := m.refAddr(exprOf(m.attr(r.b, "target_resource_id")))
	if !ok {
		return
	}
	if t := m.resources[addr]; t != nil && t.el != nil {
		t.el.SetNote("logging", true, m.attr(r.b, "target_resource_id").Span, "logs sent by "+r.addr)
	}
}
