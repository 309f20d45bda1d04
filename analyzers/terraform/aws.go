package terraform

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/mapping"
	"github.com/threatls/threatls/model"
)

// builders create the element of a resource (or data source) from the resource alone, where
// its mapping row (mapping.Row) does not say everything: they call m.mapped for what it says.
// A resource type with a row and neither a builder nor a linker gets the row's element.
var builders map[string]func(*module, *res)

// linkers run once every element exists: they attach what points at another resource.
var linkers map[string]func(*module, *res)

func init() {
	builders = map[string]func(*module, *res){
		"aws_s3_bucket":                     buildBucket,
		"aws_db_instance":                   buildRDS,
		"aws_rds_cluster":                   buildRDS,
		"aws_ebs_volume":                    buildVolume,
		"aws_iam_policy":                    buildPolicy,
		"aws_iam_role_policy":               buildPolicy,
		"aws_iam_user_policy":               buildPolicy,
		"aws_iam_group_policy":              buildPolicy,
		"aws_iam_policy_document":           buildPolicy,
		"aws_security_group":                buildSecurityGroup,
		"aws_lb":                            buildLB,
		"aws_alb":                           buildLB,
		"aws_elb":                           buildLB,
		"aws_iam_user_policy_attachment":    buildAttachment,
		"aws_iam_role_policy_attachment":    buildAttachment,
		"aws_iam_group_policy_attachment":   buildAttachment,
		"aws_iam_policy_attachment":         buildAttachment,
		"aws_vpc":                           buildVPC,
		"aws_subnet":                        buildSubnet,
		"aws_instance":                      buildInstance,
		"aws_launch_template":               buildLaunchTemplate,
		"aws_ecs_service":                   buildECSService,
		"aws_ecs_task_definition":           buildTaskDefinition,
		"aws_eks_cluster":                   buildEKS,
		"aws_lambda_function":               buildLambda,
		"aws_api_gateway_rest_api":          buildAPI,
		"aws_apigatewayv2_api":              buildAPI,
		"aws_elasticache_replication_group": buildElastiCache,
		"aws_elasticache_cluster":           buildElastiCache,
		"aws_secretsmanager_secret":         buildSecret,
		"azurerm_network_security_group":    buildNSG,
		"google_compute_firewall":           buildFirewall,
		"oci_core_security_list":            buildSecurityList,
		"google_sql_database_instance":      buildCloudSQL,
		"google_compute_instance":           buildGCEInstance,
		"google_compute_instance_template":  buildGCEInstance,
	}
	linkers = map[string]func(*module, *res){
		"aws_s3_bucket_server_side_encryption_configuration": linkCompanion,
		"aws_s3_bucket_public_access_block":                  linkCompanion,
		"aws_s3_bucket_versioning":                           linkCompanion,
		"aws_s3_bucket_logging":                              linkCompanion,
		"aws_s3_bucket_acl":                                  linkCompanion,
		"aws_s3_bucket_policy":                               linkCompanion,
		"aws_security_group_rule":                            linkRule,
		"aws_vpc_security_group_ingress_rule":                linkRule,
		"aws_lb_listener":                                    linkListener,
		"aws_alb_listener":                                   linkListener,
		"aws_iam_user_policy_attachment":                     linkAttachment,
		"aws_iam_role_policy_attachment":                     linkAttachment,
		"aws_iam_group_policy_attachment":                    linkAttachment,
		"aws_iam_policy_attachment":                          linkAttachment,
		"aws_lambda_function_url":                            linkFunctionURL,
		"aws_api_gateway_integration":                        linkIntegration,
		"aws_apigatewayv2_integration":                       linkIntegration,
		"aws_flow_log":                                       linkFlowLog,
		"azurerm_network_security_rule":                      linkNSGRule,
		"azurerm_mssql_firewall_rule":                        linkDBFirewallRule,
		"azurerm_sql_firewall_rule":                          linkDBFirewallRule,
		"azurerm_postgresql_firewall_rule":                   linkDBFirewallRule,
		"azurerm_mysql_firewall_rule":                        linkDBFirewallRule,
		"azurerm_postgresql_flexible_server_firewall_rule":   linkDBFirewallRule,
		"azurerm_mysql_flexible_server_firewall_rule":        linkDBFirewallRule,
		"azurerm_mssql_server_extended_auditing_policy":      linkAuditing,
		"azurerm_mssql_database_extended_auditing_policy":    linkAuditing,
		"alicloud_security_group_rule":                       linkAlicloudRule,
		"oci_core_network_security_group_security_rule":      linkOCIRule,
		"azurerm_monitor_diagnostic_setting":                 linkDiagnostics,
	}
}

// --- S3 ---

func buildBucket(m *module, r *res) {
	el := m.mapped(r)
	b := r.b
	if name := m.str(b, "bucket"); name != "" {
		if _, dup := m.bucketNames[name]; !dup {
			m.bucketNames[name] = r.addr
		}
	}
	// Inline arguments of provider v3, still accepted by v4+ (the mapping reads the simple
	// ones); a companion resource overrides.
	if a := m.attr(b, "policy"); a != nil {
		m.setPublicPolicy(el, a)
	}
	if sse := b.First("server_side_encryption_configuration"); sse != nil {
		m.setEncryption(el, sse)
	}
}

func (m *module) setACL(el *model.Element, a *Attribute) {
	v := m.setAttr(el, "acl", a, tString)
	if v == nil {
		if at, ok := el.Attrs.Get("acl"); ok {
			el.SetUnknown("public_acl", a.Span, at.Note)
		}
		return
	}
	el.SetNote("public_acl", mapping.PublicACL(v.(string)), a.Span, el.Attrs.At("acl").Note)
}

// setEncryption reads a server_side_encryption_configuration block or the body of the
// companion resource of the same name. S3 encrypts every object whatever it says (SSE-S3 by
// default since 2023-01): it decides sse_configured and the key.
func (m *module) setEncryption(el *model.Element, b *Block) {
	el.SetNote("sse_configured", true, b.Head, "")
	var def *Block
	for _, rule := range b.Nested("rule") {
		if def = rule.First("apply_server_side_encryption_by_default"); def != nil {
			break
		}
	}
	if def == nil {
		el.SetNote("kms_managed_key", false, b.Head, "no rule applies encryption by default: S3 uses SSE-S3")
		return
	}
	a := m.attr(def, "sse_algorithm")
	if a == nil {
		el.SetNote("encrypted_at_rest", true, def.Head, "")
		el.SetUnknown("kms_managed_key", def.Head, "sse_algorithm is not set")
		return
	}
	el.SetNote("encrypted_at_rest", true, a.Span, "")
	v, via := m.resolve(a.Expr)
	if !known(v) {
		el.SetUnknown("kms_managed_key", a.Span, unknownNote(v))
		return
	}
	s, _ := v.(string)
	note := ""
	if via != "" {
		note = "from " + via
	}
	el.SetNote("kms_managed_key", s == "aws:kms" || s == "aws:kms:dsse", a.Span, note)
}

func (m *module) setPublicPolicy(el *model.Element, a *Attribute) {
	p := m.policy(el, a)
	if p.Unknown != "" {
		el.SetUnknown("public_policy", a.Span, p.Unknown)
		return
	}
	pub, sp, note := p.Public()
	if sp.IsZero() {
		sp = a.Span
	}
	el.SetNote("public_policy", pub, sp, note)
}

// bucketOf finds the bucket a companion's `bucket` argument names.
func (m *module) bucketOf(b *Block) *res {
	a := m.attr(b, "bucket")
	if a == nil {
		return nil
	}
	if addr, attr, ok := m.refAddr(a.Expr); ok && (attr == "id" || attr == "bucket") {
		if r := m.resources[addr]; r.typ == "aws_s3_bucket" {
			return r
		}
		return nil
	}
	if v, _ := m.resolve(a.Expr); v != nil {
		if s, ok := v.(string); ok {
			if addr, ok := m.bucketNames[s]; ok {
				return m.resources[addr]
			}
		}
	}
	return nil
}

var companionWhat = map[string]string{
	"aws_s3_bucket_server_side_encryption_configuration": "encryption",
	"aws_s3_bucket_public_access_block":                  "public access block",
	"aws_s3_bucket_versioning":                           "versioning",
	"aws_s3_bucket_logging":                              "access logging",
	"aws_s3_bucket_acl":                                  "ACL",
	"aws_s3_bucket_policy":                               "bucket policy",
}

// linkCompanion reads an S3 companion resource onto its bucket. The companion is an element of
// its own (kind control) whose Parent is the bucket, carrying the attributes it contributes.
func linkCompanion(m *module, r *res) {
	el := m.mapped(r)
	bucket := m.bucketOf(r.b)
	target := el
	if bucket != nil && bucket.el != nil {
		el.Parent = bucket.el.ID
	}
	apply := func(t *model.Element) {
		b := r.b
		switch r.typ {
		case "aws_s3_bucket_server_side_encryption_configuration":
			m.setEncryption(t, b)
		case "aws_s3_bucket_versioning":
			vc := b.First("versioning_configuration")
			if vc == nil {
				t.SetUnknown("versioned", b.Head, "no versioning_configuration block")
				break
			}
			a := m.attr(vc, "status")
			if a == nil {
				t.SetUnknown("versioned", vc.Head, "versioning_configuration has no status")
				break
			}
			if v := m.setAttr(t, "versioned", a, tString); v != nil {
				at := t.Attrs.At("versioned")
				at.Value = v == "Enabled"
				t.Attrs.Set("versioned", at)
			}
		case "aws_s3_bucket_logging":
			sp := b.Head
			if a := m.attr(b, "target_bucket"); a != nil {
				sp = a.Span
			}
			t.SetNote("logs_access", true, sp, "")
		case "aws_s3_bucket_acl":
			if a := m.attr(b, "acl"); a != nil {
				m.setACL(t, a)
			} else if acp := b.First("access_control_policy"); acp != nil {
				m.setGrants(t, acp)
			}
		case "aws_s3_bucket_policy":
			if a := m.attr(b, "policy"); a != nil {
				m.setPublicPolicy(t, a)
			}
		case "aws_s3_bucket_public_access_block":
			m.setAccessBlock(t, b)
		}
	}
	apply(target)
	if bucket != nil && bucket.el != nil {
		if r.maybe != "" {
			// Whether the companion exists is unknown: what it would say is unknown too.
			probe := &model.Element{Head: bucket.el.Head}
			apply(probe)
			for name, a := range probe.Attrs.All() {
				bucket.el.SetUnknown(name, a.Span, r.addr+" may not exist ("+r.maybe+")")
			}
		} else {
			apply(bucket.el)
		}
		bucket.el.Related = append(bucket.el.Related, model.Related{Span: r.b.Head,
			Message: fmt.Sprintf("%s configured by %s", companionWhat[r.typ], r.addr)})
	}
}

func (m *module) setGrants(el *model.Element, acp *Block) {
	for _, g := range acp.Nested("grant") {
		for _, ge := range g.Nested("grantee") {
			uri := m.str(ge, "uri")
			if strings.HasSuffix(uri, "/global/AllUsers") || strings.HasSuffix(uri, "/global/AuthenticatedUsers") {
				el.SetNote("public_acl", true, m.attr(ge, "uri").Span, "a grant to "+uri)
				return
			}
		}
	}
	el.SetNote("public_acl", false, acp.Head, "no grant to AllUsers or AuthenticatedUsers")
}

var accessBlockFlags = []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}

func (m *module) setAccessBlock(el *model.Element, b *Block) {
	unknown := ""
	var unknownAt model.Span
	for _, f := range accessBlockFlags {
		a := m.attr(b, f)
		if a == nil {
			el.SetNote("public_access_block", false, b.Head, f+" defaults to false")
			m.setNeutralisers(el, b)
			return
		}
		v, _ := m.resolve(a.Expr)
		x, ok := asBool(v)
		switch {
		case !known(v) || !ok:
			if unknown == "" {
				unknown, unknownAt = f+": "+unknownNote(v), a.Span
				if ok || known(v) {
					unknown = f + " is not a bool"
				}
			}
		case x == false:
			el.SetNote("public_access_block", false, a.Span, "")
			m.setNeutralisers(el, b)
			return
		}
	}
	if unknown != "" {
		el.SetUnknown("public_access_block", unknownAt, unknown)
	} else {
		el.SetNote("public_access_block", true, b.Head, "all four flags are true")
	}
	m.setNeutralisers(el, b)
}

// setNeutralisers records the flags that neutralise public ACLs (ignore_public_acls) and
// public policies (restrict_public_buckets), used to derive `public`.
func (m *module) setNeutralisers(el *model.Element, b *Block) {
	for _, f := range []struct{ arg, attr string }{{"ignore_public_acls", "ignores_public_acls"}, {"restrict_public_buckets", "restricts_public_buckets"}} {
		m.arg(el, f.attr, b, f.arg, tBool, false, f.arg+" defaults to false")
	}
}

// logTarget records log_target on the bucket that r (an aws_s3_bucket_logging, or a bucket's
// inline logging block) sends access logs to: a log bucket need not log its own access, which
// would log every write of a log.
func (m *module) logTarget(r *res) {
	b := r.b
	if r.typ == "aws_s3_bucket" {
		if b = b.First("logging"); b == nil {
			return
		}
	}
	a := m.attr(b, "target_bucket")
	if a == nil {
		return
	}
	var t *res
	if addr, attr, ok := m.refAddr(a.Expr); ok && (attr == "id" || attr == "bucket") {
		t = m.resources[addr]
	} else if s := m.str(b, "target_bucket"); s != "" {
		t = m.resources[m.bucketNames[s]]
	}
	if t == nil || t.el == nil || t.typ != "aws_s3_bucket" {
		return
	}
	t.el.SetNote("log_target", true, a.Span, r.addr+" sends its access logs here")
}

// finishBucket derives `public`, once the bucket's companions have said what they say.
func (m *module) finishBucket(r *res) { cloud.BucketPublic(r.el) }

// --- RDS, EBS ---

func buildRDS(m *module, r *res) {
	m.mapped(r)
	m.rdsNetwork(r)
}

func buildVolume(m *module, r *res) {
	el := m.mapped(r)
	if a := el.Attrs.At("encrypted_at_rest"); a.Origin == model.Defaulted && m.ebsDefault != nil {
		el.Default("encrypted_at_rest", true, m.ebsDefault.addr+" encrypts new EBS volumes by default")
	}
}

// --- security groups ---

func buildSecurityGroup(m *module, r *res) {
	m.mapped(r)
	for i, in := range r.b.Nested("ingress") {
		fl := m.nested(r, in, i, model.Flow, "security-group")
		fl.To = r.el.ID
		m.rules = append(m.rules, &rule{el: fl, sg: r.addr, sources: m.refs(m.attr(in, "security_groups"))})
		m.ingress(fl, in, "protocol", "from_port", "to_port", []string{"cidr_blocks", "ipv6_cidr_blocks"})
		for _, a := range []string{"security_groups"} {
			if at := m.attr(in, a); at != nil && at.Expr.Kind == Tuple && len(at.Expr.Elems) > 0 && fl.From == "" {
				if addr, _, ok := m.refAddr(at.Expr.Elems[0]); ok && m.resources[addr].el != nil {
					fl.From = m.resources[addr].el.ID
				}
			}
		}
	}
}

func linkRule(m *module, r *res) {
	if r.typ == "aws_security_group_rule" {
		if t := m.str(r.b, "type"); t != "ingress" {
			return
		}
	}
	fl := m.element(r, model.Flow, "security-group")
	if a := m.attr(r.b, "security_group_id"); a != nil {
		if addr, _, ok := m.refAddr(a.Expr); ok && m.resources[addr].el != nil {
			fl.To = m.resources[addr].el.ID
			fl.Parent = fl.To
		}
	}
	src := "source_security_group_id"
	if r.typ == "aws_security_group_rule" {
		m.ingress(fl, r.b, "protocol", "from_port", "to_port", []string{"cidr_blocks", "ipv6_cidr_blocks"})
	} else {
		src = "referenced_security_group_id"
		m.ingress(fl, r.b, "ip_protocol", "from_port", "to_port", []string{"cidr_ipv4", "cidr_ipv6"})
	}
	ru := &rule{el: fl, sources: m.refs(m.attr(r.b, src))}
	if addr, _, ok := m.refAddr(exprOf(m.attr(r.b, "security_group_id"))); ok {
		ru.sg = addr
	}
	m.rules = append(m.rules, ru)
	if a := m.attr(r.b, src); a != nil && fl.From == "" {
		if addr, _, ok := m.refAddr(a.Expr); ok && m.resources[addr].el != nil {
			fl.From = m.resources[addr].el.ID
		}
	}
}

// ingress reads the protocol, ports and sources of an ingress rule.
func (m *module) ingress(fl *model.Element, b *Block, protoArg, fromArg, toArg string, cidrArgs []string) {
	all := false
	if a := m.attr(b, protoArg); a != nil {
		if v := m.setAttr(fl, "protocol", a, tString); v != nil {
			p := normProtocol(v.(string))
			at := fl.Attrs.At("protocol")
			at.Value = p
			fl.Attrs.Set("protocol", at)
			if p == "all" {
				all = true
				fl.SetNote("from_port", int64(0), a.Span, "protocol all opens every port")
				fl.SetNote("to_port", int64(65535), a.Span, "protocol all opens every port")
			}
		}
	}
	if !all {
		for _, p := range [][2]string{{"from_port", fromArg}, {"to_port", toArg}} {
			if a := m.attr(b, p[1]); a != nil {
				m.setAttr(fl, p[0], a, tInt)
			}
		}
	}
	var cidrs []any
	var at *Attribute
	unknown := ""
	for _, name := range cidrArgs {
		a := m.attr(b, name)
		if a == nil {
			continue
		}
		if at == nil {
			at = a
		}
		v, _ := m.resolve(a.Expr)
		if v == nil {
			continue
		}
		if s, ok := v.(string); ok { // cidr_ipv4 is a single string
			v = []any{s}
		}
		l, ok := v.([]any)
		if !ok {
			if unknown == "" {
				unknown = unknownNote(v)
				if unknown == "" {
					unknown = name + " is not a list of CIDRs"
				}
			}
			continue
		}
		for _, x := range l {
			if s, ok := x.(string); ok {
				cidrs = append(cidrs, s)
			} else if unknown == "" {
				unknown = unknownNote(x)
				if unknown == "" {
					unknown = name + " holds a value that is not a CIDR"
				}
			}
		}
	}
	internet := false
	for _, c := range cidrs {
		if c == "0.0.0.0/0" || c == "::/0" {
			internet = true
		}
	}
	switch {
	case at == nil:
		fl.Default("source_cidrs", []any{}, "the rule admits no CIDR range")
		fl.Default("from_internet", false, "the rule admits no CIDR range")
	case unknown != "":
		fl.SetUnknown("source_cidrs", at.Span, unknown)
		if internet {
			fl.SetNote("from_internet", true, at.Span, "")
		} else {
			fl.SetUnknown("from_internet", at.Span, unknown)
		}
	default:
		if cidrs == nil {
			cidrs = []any{}
		}
		fl.SetNote("source_cidrs", cidrs, at.Span, "")
		fl.SetNote("from_internet", internet, at.Span, "")
	}
	if internet {
		fl.From = InternetID
	}
}

func normProtocol(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "all"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	return strings.ToLower(p)
}

// --- load balancers ---

func buildLB(m *module, r *res) {
	el := m.mapped(r)
	m.netOf(r, "security_groups")
	m.place(r, append(m.attrsAt(r.b, "subnets"), m.attrsAt(r.b, "subnet_mapping.subnet_id")...), nil, "")
	m.setWAF(el, r.addr)
	if r.typ != "aws_elb" {
		return
	}
	for i, l := range r.b.Nested("listener") {
		fl := m.nested(r, l, i, model.Flow, "elb")
		fl.To = el.ID
		if el.Attrs.At("internet_facing").Value == true {
			fl.From = InternetID
		}
		m.listener(fl, l, "lb_protocol", "lb_port", "")
	}
}

func linkListener(m *module, r *res) {
	fl := m.mapped(r)
	def := "HTTP"
	if a := m.attr(r.b, "load_balancer_arn"); a != nil {
		if addr, _, ok := m.refAddr(a.Expr); ok {
			if lb := m.resources[addr]; lb.el != nil {
				fl.To = lb.el.ID
				fl.Parent = lb.el.ID
				fl.Attrs.Set("technology", model.Attr{Value: lb.el.Attrs.At("technology").Value, Origin: model.Read, Span: r.b.Head})
				if lb.el.Attrs.At("technology").Value == "nlb" {
					def = "TCP"
				}
				if lb.el.Attrs.At("internet_facing").Value == true {
					fl.From = InternetID
				}
			}
		}
	}
	m.listener(fl, r.b, "protocol", "port", def)
	redirect := false
	var at model.Span
	for _, da := range r.b.Nested("default_action") {
		if rd := da.First("redirect"); rd != nil && strings.EqualFold(m.str(rd, "protocol"), "HTTPS") {
			redirect, at = true, m.attr(rd, "protocol").Span
			break
		}
	}
	switch {
	case redirect:
		fl.SetNote("redirects_to_https", true, at, "")
	case len(r.b.Nested("default_action")) > 0:
		fl.SetNote("redirects_to_https", false, r.b.Nested("default_action")[0].Head, "the default action does not redirect to HTTPS")
	default:
		fl.Default("redirects_to_https", false, "no default action redirects to HTTPS")
	}
}

func (m *module) listener(fl *model.Element, b *Block, protoArg, portArg, def string) {
	proto := ""
	if a := m.attr(b, protoArg); a != nil {
		if v := m.setAttr(fl, "protocol", a, tString); v != nil {
			proto = strings.ToUpper(v.(string))
			at := fl.Attrs.At("protocol")
			at.Value = proto
			fl.Attrs.Set("protocol", at)
		}
	} else if def != "" {
		proto = def
		fl.Default("protocol", def, protoArg+" defaults to "+def)
	}
	if a := m.attr(b, portArg); a != nil {
		m.setAttr(fl, "port", a, tInt)
	}
	switch p := fl.Attrs.At("protocol"); {
	case p.Origin == model.Unknown:
		fl.SetUnknown("tls", p.Span, p.Note)
	case proto == "":
	case p.Origin == model.Defaulted:
		fl.Default("tls", false, protoArg+" defaults to "+def)
	default:
		fl.SetNote("tls", proto == "HTTPS" || proto == "TLS" || proto == "SSL", p.Span, "")
	}
}
