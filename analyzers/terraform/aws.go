package terraform

import (
	"fmt"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/model"
)

// builders create the element of a resource (or data source) from the resource alone.
var builders map[string]func(*module, *res)

// linkers run once every element exists: they attach what points at another resource.
var linkers map[string]func(*module, *res)

func init() {
	builders = map[string]func(*module, *res){
		"aws_s3_bucket":                     buildBucket,
		"aws_db_instance":                   buildRDS,
		"aws_rds_cluster":                   buildRDS,
		"aws_ebs_volume":                    buildVolume,
		"aws_efs_file_system":               buildVolume,
		"aws_kms_key":                       buildKMS,
		"aws_cloudtrail":                    buildTrail,
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
		"aws_dynamodb_table":                buildDynamoDB,
		"aws_elasticache_replication_group": buildElastiCache,
		"aws_elasticache_cluster":           buildElastiCache,
		"aws_sqs_queue":                     buildSQS,
		"aws_sns_topic":                     buildSNS,
		"aws_secretsmanager_secret":         buildSecret,
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
	}
}

// --- S3 ---

func buildBucket(m *module, r *res) {
	el := m.store(r, "s3", "bucket")
	b := r.b
	if name := m.str(b, "bucket"); name != "" {
		if _, dup := m.bucketNames[name]; !dup {
			m.bucketNames[name] = r.addr
		}
	}
	// Inline arguments of provider v3, still accepted by v4+; a companion resource overrides.
	if a := b.Attr("acl"); a != nil {
		m.setACL(el, a)
	}
	if a := b.Attr("policy"); a != nil {
		m.setPublicPolicy(el, a)
	}
	if sse := b.First("server_side_encryption_configuration"); sse != nil {
		m.setEncryption(el, sse)
	}
	if v := b.First("versioning"); v != nil {
		if a := v.Attr("enabled"); a != nil {
			m.setAttr(el, "versioned", a, tBool)
		} else {
			analyzers.SetNote(el, "versioned", false, v.Head, "versioning {} without enabled = true")
		}
	}
	if l := b.First("logging"); l != nil {
		analyzers.SetNote(el, "logs_access", true, l.Head, "")
	}
}

func (m *module) setACL(el *model.Element, a *Attribute) {
	v := m.setAttr(el, "acl", a, tString)
	if v == nil {
		if at, ok := el.Attrs["acl"]; ok {
			el.SetUnknown("public_acl", a.Span, at.Note)
		}
		return
	}
	analyzers.SetNote(el, "public_acl", publicACL(v.(string)), a.Span, el.Attrs["acl"].Note)
}

func publicACL(acl string) bool {
	switch acl {
	case "public-read", "public-read-write", "authenticated-read":
		return true
	}
	return false
}

// setEncryption reads a server_side_encryption_configuration block or the body of the
// companion resource of the same name.
func (m *module) setEncryption(el *model.Element, b *Block) {
	var def *Block
	for _, rule := range b.Nested("rule") {
		if def = rule.First("apply_server_side_encryption_by_default"); def != nil {
			break
		}
	}
	if def == nil {
		analyzers.SetNote(el, "encrypted_at_rest", false, b.Head, "no rule applies encryption by default")
		analyzers.SetNote(el, "kms_managed_key", false, b.Head, "no rule applies encryption by default")
		return
	}
	a := def.Attr("sse_algorithm")
	if a == nil {
		analyzers.SetNote(el, "encrypted_at_rest", true, def.Head, "")
		el.SetUnknown("kms_managed_key", def.Head, "sse_algorithm is not set")
		return
	}
	analyzers.SetNote(el, "encrypted_at_rest", true, a.Span, "")
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
	analyzers.SetNote(el, "kms_managed_key", s == "aws:kms" || s == "aws:kms:dsse", a.Span, note)
}

func (m *module) setPublicPolicy(el *model.Element, a *Attribute) {
	p := m.policy(el, a)
	if p.unknown != "" {
		el.SetUnknown("public_policy", a.Span, p.unknown)
		return
	}
	pub, sp, note := p.public()
	if sp.IsZero() {
		sp = a.Span
	}
	analyzers.SetNote(el, "public_policy", pub, sp, note)
}

// bucketOf finds the bucket a companion's `bucket` argument names.
func (m *module) bucketOf(b *Block) *res {
	a := b.Attr("bucket")
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
	el := m.element(r, model.Control, "s3")
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
			a := vc.Attr("status")
			if a == nil {
				t.SetUnknown("versioned", vc.Head, "versioning_configuration has no status")
				break
			}
			if v := m.setAttr(t, "versioned", a, tString); v != nil {
				at := t.Attrs["versioned"]
				at.Value = v == "Enabled"
				t.Attrs["versioned"] = at
			}
		case "aws_s3_bucket_logging":
			sp := b.Head
			if a := b.Attr("target_bucket"); a != nil {
				sp = a.Span
			}
			analyzers.SetNote(t, "logs_access", true, sp, "")
		case "aws_s3_bucket_acl":
			if a := b.Attr("acl"); a != nil {
				m.setACL(t, a)
			} else if acp := b.First("access_control_policy"); acp != nil {
				m.setGrants(t, acp)
			}
		case "aws_s3_bucket_policy":
			if a := b.Attr("policy"); a != nil {
				m.setPublicPolicy(t, a)
			}
		case "aws_s3_bucket_public_access_block":
			m.setAccessBlock(t, b)
		}
	}
	apply(target)
	if bucket != nil && bucket.el != nil {
		apply(bucket.el)
		bucket.el.Related = append(bucket.el.Related, model.Related{Span: r.b.Head,
			Message: fmt.Sprintf("%s configured by %s", companionWhat[r.typ], r.addr)})
	}
}

func (m *module) setGrants(el *model.Element, acp *Block) {
	for _, g := range acp.Nested("grant") {
		for _, ge := range g.Nested("grantee") {
			uri := m.str(ge, "uri")
			if strings.HasSuffix(uri, "/global/AllUsers") || strings.HasSuffix(uri, "/global/AuthenticatedUsers") {
				analyzers.SetNote(el, "public_acl", true, ge.Attr("uri").Span, "a grant to "+uri)
				return
			}
		}
	}
	analyzers.SetNote(el, "public_acl", false, acp.Head, "no grant to AllUsers or AuthenticatedUsers")
}

var accessBlockFlags = []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}

func (m *module) setAccessBlock(el *model.Element, b *Block) {
	unknown := ""
	var unknownAt model.Span
	for _, f := range accessBlockFlags {
		a := b.Attr(f)
		if a == nil {
			analyzers.SetNote(el, "public_access_block", false, b.Head, f+" defaults to false")
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
			analyzers.SetNote(el, "public_access_block", false, a.Span, "")
			m.setNeutralisers(el, b)
			return
		}
	}
	if unknown != "" {
		el.SetUnknown("public_access_block", unknownAt, unknown)
	} else {
		analyzers.SetNote(el, "public_access_block", true, b.Head, "all four flags are true")
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

// finishBucket fills in the defaults of what neither the bucket nor a companion said, and
// derives `public`.
func (m *module) finishBucket(r *res) {
	el := r.el
	def := func(name string, v any, note string) {
		if _, ok := el.Attrs[name]; !ok {
			el.Default(name, v, note)
		}
	}
	def("encrypted_at_rest", false, "no server-side encryption configuration for the bucket (S3 has applied SSE-S3 to new objects since January 2023)")
	def("kms_managed_key", false, "no server-side encryption configuration with aws:kms for the bucket")
	def("acl", "private", "the bucket has no ACL: private by default")
	def("public_acl", false, "the bucket has no ACL: private by default")
	def("public_policy", false, "no bucket policy")
	def("public_access_block", false, "no aws_s3_bucket_public_access_block for the bucket")
	def("versioned", false, "no aws_s3_bucket_versioning for the bucket: versioning is off by default")
	def("logs_access", false, "no aws_s3_bucket_logging for the bucket: access logging is off by default")
	def("ignores_public_acls", false, "no aws_s3_bucket_public_access_block for the bucket")
	def("restricts_public_buckets", false, "no aws_s3_bucket_public_access_block for the bucket")

	// public = (public_acl && !ignores_public_acls) || (public_policy && !restricts_public_buckets)
	part := func(grant, neutral string) (v *bool, a model.Attr) {
		g, n := el.Attrs[grant], el.Attrs[neutral]
		switch {
		case g.Origin != model.Unknown && g.Value == false:
			f := false
			return &f, g
		case n.Origin != model.Unknown && n.Value == true:
			f := false
			return &f, n
		case g.Origin == model.Unknown:
			return nil, g
		case n.Origin == model.Unknown:
			return nil, n
		}
		t := true
		return &t, g
	}
	acl, aclAt := part("public_acl", "ignores_public_acls")
	pol, polAt := part("public_policy", "restricts_public_buckets")
	set := func(v bool, a model.Attr, note string) {
		if a.Origin == model.Defaulted {
			el.Default("public", v, note)
			return
		}
		analyzers.SetNote(el, "public", v, a.Span, note)
	}
	switch {
	case acl != nil && *acl:
		set(true, aclAt, "the ACL grants public access")
	case pol != nil && *pol:
		set(true, polAt, "the bucket policy grants public access")
	case acl == nil:
		el.SetUnknown("public", aclAt.Span, aclAt.Note)
	case pol == nil:
		el.SetUnknown("public", polAt.Span, polAt.Note)
	default:
		// Not public: point at what says so, preferring what was read over defaults.
		a := aclAt
		if a.Origin == model.Defaulted {
			a = polAt
		}
		set(false, a, "neither the ACL nor a bucket policy grants public access")
	}
}

// --- RDS, EBS, EFS, KMS, CloudTrail ---

func buildRDS(m *module, r *res) {
	el := m.element(r, model.Store, "rds")
	b := r.b
	encDefault, encNote := false, "storage_encrypted defaults to false"
	if r.typ == "aws_rds_cluster" && m.str(b, "engine_mode") == "serverless" {
		encDefault, encNote = true, "storage_encrypted defaults to true for serverless clusters"
	}
	m.arg(el, "encrypted_at_rest", b, "storage_encrypted", tBool, encDefault, encNote)
	m.kmsKey(el, b, "kms_key_id")
	if r.typ == "aws_db_instance" {
		m.arg(el, "public", b, "publicly_accessible", tBool, false, "publicly_accessible defaults to false")
	}
	days := m.arg(el, "backup_retention_days", b, "backup_retention_period", tInt, int64(1), "backup_retention_period defaults to 1 day")
	bk := el.Attrs["backup_retention_days"]
	switch {
	case days == nil:
		el.SetUnknown("backup", bk.Span, bk.Note)
	case bk.Origin == model.Defaulted:
		el.Default("backup", true, "backup_retention_period defaults to 1 day")
	default:
		analyzers.SetNote(el, "backup", days.(int64) > 0, bk.Span, bk.Note)
	}
	m.arg(el, "deletion_protection", b, "deletion_protection", tBool, false, "deletion_protection defaults to false")
	m.rdsNetwork(r)
}

// kmsKey records kms_managed_key from whether argument arg (a key ID or ARN) is set.
func (m *module) kmsKey(el *model.Element, b *Block, arg string) {
	m.kmsKeyOr(el, b, arg, "the AWS managed key is used")
}

// kmsKeyOr is kmsKey with what happens when arg is not set.
func (m *module) kmsKeyOr(el *model.Element, b *Block, arg, otherwise string) {
	a := b.Attr(arg)
	if a == nil {
		el.Default("kms_managed_key", false, arg+" is not set: "+otherwise)
		return
	}
	if v, _ := m.resolve(a.Expr); v == nil {
		el.Default("kms_managed_key", false, arg+" is null: "+otherwise)
		return
	}
	analyzers.SetNote(el, "kms_managed_key", true, a.Span, "")
}

func buildVolume(m *module, r *res) {
	tech, category := "ebs", "volume"
	if r.typ == "aws_efs_file_system" {
		tech, category = "efs", "file"
	}
	el := m.store(r, tech, category)
	def, note := false, "encrypted defaults to false"
	if tech == "ebs" && m.ebsDefault != nil {
		def, note = true, m.ebsDefault.addr+" encrypts new EBS volumes by default"
	}
	m.arg(el, "encrypted_at_rest", r.b, "encrypted", tBool, def, note)
	m.kmsKey(el, r.b, "kms_key_id")
}

func buildKMS(m *module, r *res) {
	el := m.element(r, model.Store, "kms")
	m.arg(el, "key_rotation", r.b, "enable_key_rotation", tBool, false, "enable_key_rotation defaults to false")
	if a := r.b.Attr("customer_master_key_spec"); a != nil {
		if v := m.setAttr(el, "symmetric", a, tString); v != nil {
			at := el.Attrs["symmetric"]
			at.Value = v == "SYMMETRIC_DEFAULT"
			el.Attrs["symmetric"] = at
		}
	} else {
		el.Default("symmetric", true, "customer_master_key_spec defaults to SYMMETRIC_DEFAULT")
	}
}

func buildTrail(m *module, r *res) {
	el := m.element(r, model.Control, "cloudtrail")
	m.arg(el, "multi_region", r.b, "is_multi_region_trail", tBool, false, "is_multi_region_trail defaults to false")
	m.arg(el, "log_validation", r.b, "enable_log_file_validation", tBool, false, "enable_log_file_validation defaults to false")
	m.kmsKey(el, r.b, "kms_key_id")
}

// --- security groups ---

func buildSecurityGroup(m *module, r *res) {
	m.element(r, model.Zone, "security-group")
	for i, in := range r.b.Nested("ingress") {
		fl := m.nested(r, in, i, model.Flow, "security-group")
		fl.To = r.el.ID
		m.rules = append(m.rules, &rule{el: fl, sg: r.addr, sources: m.refs(in.Attr("security_groups"))})
		m.ingress(fl, in, "protocol", "from_port", "to_port", []string{"cidr_blocks", "ipv6_cidr_blocks"})
		for _, a := range []string{"security_groups"} {
			if at := in.Attr(a); at != nil && at.Expr.Kind == Tuple && len(at.Expr.Elems) > 0 && fl.From == "" {
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
	if a := r.b.Attr("security_group_id"); a != nil {
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
	ru := &rule{el: fl, sources: m.refs(r.b.Attr(src))}
	if addr, _, ok := m.refAddr(exprOf(r.b.Attr("security_group_id"))); ok {
		ru.sg = addr
	}
	m.rules = append(m.rules, ru)
	if a := r.b.Attr(src); a != nil && fl.From == "" {
		if addr, _, ok := m.refAddr(a.Expr); ok && m.resources[addr].el != nil {
			fl.From = m.resources[addr].el.ID
		}
	}
}

// ingress reads the protocol, ports and sources of an ingress rule.
func (m *module) ingress(fl *model.Element, b *Block, protoArg, fromArg, toArg string, cidrArgs []string) {
	all := false
	if a := b.Attr(protoArg); a != nil {
		if v := m.setAttr(fl, "protocol", a, tString); v != nil {
			p := normProtocol(v.(string))
			at := fl.Attrs["protocol"]
			at.Value = p
			fl.Attrs["protocol"] = at
			if p == "all" {
				all = true
				analyzers.SetNote(fl, "from_port", int64(0), a.Span, "protocol all opens every port")
				analyzers.SetNote(fl, "to_port", int64(65535), a.Span, "protocol all opens every port")
			}
		}
	}
	if !all {
		for _, p := range [][2]string{{"from_port", fromArg}, {"to_port", toArg}} {
			if a := b.Attr(p[1]); a != nil {
				m.setAttr(fl, p[0], a, tInt)
			}
		}
	}
	var cidrs []any
	var at *Attribute
	unknown := ""
	for _, name := range cidrArgs {
		a := b.Attr(name)
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
			analyzers.SetNote(fl, "from_internet", true, at.Span, "")
		} else {
			fl.SetUnknown("from_internet", at.Span, unknown)
		}
	default:
		if cidrs == nil {
			cidrs = []any{}
		}
		analyzers.SetNote(fl, "source_cidrs", cidrs, at.Span, "")
		analyzers.SetNote(fl, "from_internet", internet, at.Span, "")
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
	tech := "elb"
	if r.typ != "aws_elb" {
		switch m.str(r.b, "load_balancer_type") {
		case "network":
			tech = "nlb"
		case "gateway":
			tech = "gwlb"
		default:
			tech = "alb"
		}
	}
	el := m.element(r, model.Component, tech)
	if a := r.b.Attr("internal"); a != nil {
		if v := m.setAttr(el, "internet_facing", a, tBool); v != nil {
			at := el.Attrs["internet_facing"]
			at.Value = !v.(bool)
			el.Attrs["internet_facing"] = at
		}
	} else {
		el.Default("internet_facing", true, "internal defaults to false: the load balancer is internet-facing")
	}
	m.netOf(r, "security_groups")
	m.place(r, append(attrsAt(r.b, "subnets"), attrsAt(r.b, "subnet_mapping.subnet_id")...), nil, "")
	m.setWAF(el, r.addr)
	if r.typ != "aws_elb" {
		return
	}
	for i, l := range r.b.Nested("listener") {
		fl := m.nested(r, l, i, model.Flow, "elb")
		fl.To = el.ID
		if el.Attrs["internet_facing"].Value == true {
			fl.From = InternetID
		}
		m.listener(fl, l, "lb_protocol", "lb_port", "")
	}
}

func linkListener(m *module, r *res) {
	fl := m.element(r, model.Flow, "alb")
	def := "HTTP"
	if a := r.b.Attr("load_balancer_arn"); a != nil {
		if addr, _, ok := m.refAddr(a.Expr); ok {
			if lb := m.resources[addr]; lb.el != nil {
				fl.To = lb.el.ID
				fl.Parent = lb.el.ID
				fl.Attrs["technology"] = model.Attr{Value: lb.el.Attrs["technology"].Value, Origin: model.Read, Span: r.b.Head}
				if lb.el.Attrs["technology"].Value == "nlb" {
					def = "TCP"
				}
				if lb.el.Attrs["internet_facing"].Value == true {
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
			redirect, at = true, rd.Attr("protocol").Span
			break
		}
	}
	switch {
	case redirect:
		analyzers.SetNote(fl, "redirects_to_https", true, at, "")
	case len(r.b.Nested("default_action")) > 0:
		analyzers.SetNote(fl, "redirects_to_https", false, r.b.Nested("default_action")[0].Head, "the default action does not redirect to HTTPS")
	default:
		fl.Default("redirects_to_https", false, "no default action redirects to HTTPS")
	}
}

func (m *module) listener(fl *model.Element, b *Block, protoArg, portArg, def string) {
	proto := ""
	if a := b.Attr(protoArg); a != nil {
		if v := m.setAttr(fl, "protocol", a, tString); v != nil {
			proto = strings.ToUpper(v.(string))
			at := fl.Attrs["protocol"]
			at.Value = proto
			fl.Attrs["protocol"] = at
		}
	} else if def != "" {
		proto = def
		fl.Default("protocol", def, protoArg+" defaults to "+def)
	}
	if a := b.Attr(portArg); a != nil {
		m.setAttr(fl, "port", a, tInt)
	}
	switch p := fl.Attrs["protocol"]; {
	case p.Origin == model.Unknown:
		fl.SetUnknown("tls", p.Span, p.Note)
	case proto == "":
	case p.Origin == model.Defaulted:
		fl.Default("tls", false, protoArg+" defaults to "+def)
	default:
		analyzers.SetNote(fl, "tls", proto == "HTTPS" || proto == "TLS" || proto == "SSL", p.Span, "")
	}
}
