package terraform

import (
	"strconv"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/model"
)

// store creates the store element of r.
func (m *module) store(r *res, tech, category string) *model.Element {
	el := m.element(r, model.Store, tech)
	el.Set("category", category, r.b.Head)
	return el
}

// rdsNetwork records what an RDS instance or cluster says of its network and its clients:
// zone (from its subnet group), iam_auth, authenticated, and the TLS its parameter group
// enforces.
func (m *module) rdsNetwork(r *res) {
	el := r.el
	el.Set("category", "database", r.b.Head)
	if a := r.b.Attr("engine"); a != nil {
		m.setAttr(el, "engine", a, tString)
	}
	n := m.netOf(r, "vpc_security_group_ids")
	var subnets []*Attribute
	a := r.b.Attr("db_subnet_group_name")
	via := ""
	if g := m.target(a, "aws_db_subnet_group"); g != nil {
		subnets, via = attrsAt(g.b, "subnet_ids"), g.addr
	}
	m.place(r, subnets, a, via)
	m.arg(el, "iam_auth", r.b, "iam_database_authentication_enabled", tBool, false, "iam_database_authentication_enabled defaults to false")
	el.Default("authenticated", true, "RDS requires the credentials of a database user")
	n.auth = el.Attrs["authenticated"]
	n.tls = m.rdsTLS(r)
}

// rdsTLS says whether an RDS database refuses unencrypted connections: its parameter group
// sets rds.force_ssl (PostgreSQL) or require_secure_transport (MySQL), or PostgreSQL 15 and
// later, whose default is rds.force_ssl = 1.
func (m *module) rdsTLS(r *res) model.Attr {
	arg, typ := "parameter_group_name", "aws_db_parameter_group"
	if r.typ == "aws_rds_cluster" {
		arg, typ = "db_cluster_parameter_group_name", "aws_rds_cluster_parameter_group"
	}
	if pg := m.target(r.b.Attr(arg), typ); pg != nil {
		for _, p := range pg.b.Nested("parameter") {
			name := m.str(p, "name")
			a := p.Attr("value")
			if (name != "rds.force_ssl" && name != "require_secure_transport") || a == nil {
				continue
			}
			switch v := strings.ToLower(m.str(p, "value")); v {
			case "1", "on", "true":
				return model.Attr{Value: true, Origin: model.Read, Span: a.Span, Note: name + " = " + v + " in " + pg.addr}
			default:
				return model.Attr{Origin: model.Unknown, Span: a.Span, Note: name + " in " + pg.addr + " does not enforce TLS: whether clients use it is not known"}
			}
		}
	}
	if m.str(r.b, "engine") == "postgres" {
		v := m.str(r.b, "engine_version")
		if i := strings.IndexByte(v, '.'); i >= 0 {
			v = v[:i]
		}
		if major, err := strconv.Atoi(v); err == nil && major >= 15 {
			return model.Attr{Value: true, Origin: model.Defaulted, Span: r.b.Head, Note: "rds.force_ssl defaults to 1 on PostgreSQL 15 and later"}
		}
	}
	return model.Attr{Origin: model.Unknown, Span: r.b.Head,
		Note: r.addr + " accepts unencrypted connections unless its parameter group sets rds.force_ssl = 1 (PostgreSQL) or require_secure_transport = 1 (MySQL)"}
}

func buildDynamoDB(m *module, r *res) {
	el := m.store(r, "dynamodb", "database")
	b := r.b
	sse := b.First("server_side_encryption")
	switch a := sse.Attr("enabled"); {
	case a != nil && isTrue(m, a):
		analyzers.SetNote(el, "encrypted_at_rest", true, a.Span, "")
		m.kmsKeyOr(el, sse, "kms_key_arn", "the AWS managed key aws/dynamodb is used")
	case a != nil:
		el.Default("encrypted_at_rest", true, "DynamoDB encrypts every table at rest, with an AWS owned key unless server_side_encryption is enabled")
		if v, _ := m.resolve(a.Expr); known(v) {
			analyzers.SetNote(el, "kms_managed_key", false, a.Span, "server_side_encryption is not enabled: the AWS owned key is used")
		} else {
			el.SetUnknown("kms_managed_key", a.Span, unknownNote(v))
		}
	default:
		el.Default("encrypted_at_rest", true, "DynamoDB encrypts every table at rest, with an AWS owned key unless server_side_encryption is enabled")
		el.Default("kms_managed_key", false, "server_side_encryption is not enabled: the AWS owned key is used")
	}
	if p := b.First("point_in_time_recovery"); p != nil {
		m.arg(el, "backup", p, "enabled", tBool, false, "point_in_time_recovery.enabled defaults to false")
	} else {
		el.Default("backup", false, "point-in-time recovery is off by default")
	}
	m.arg(el, "deletion_protection", b, "deletion_protection_enabled", tBool, false, "deletion_protection_enabled defaults to false")
	el.Default("authenticated", true, "requests to DynamoDB are signed with IAM credentials")
}

func buildElastiCache(m *module, r *res) {
	b := r.b
	engine := m.str(b, "engine")
	if engine == "" && b.Attr("engine") == nil && r.typ == "aws_elasticache_replication_group" {
		engine = "redis"
	}
	tech := engine
	if tech == "" {
		tech = "elasticache"
	}
	el := m.store(r, tech, "cache")
	group := r.typ == "aws_elasticache_replication_group"
	switch a := b.Attr("replication_group_id"); {
	case group:
		m.arg(el, "encrypted_at_rest", b, "at_rest_encryption_enabled", tBool, false, "at_rest_encryption_enabled defaults to false")
		m.kmsKey(el, b, "kms_key_id")
	case a != nil:
		el.SetUnknown("encrypted_at_rest", a.Span, "the replication group decides")
		el.SetUnknown("kms_managed_key", a.Span, "the replication group decides")
	default:
		el.Default("encrypted_at_rest", false, "a cache cluster on its own cannot be encrypted at rest: only replication groups can")
		el.Default("kms_managed_key", false, "a cache cluster on its own cannot be encrypted at rest")
	}
	m.arg(el, "tls_in_transit", b, "transit_encryption_enabled", tBool, false, "transit_encryption_enabled defaults to false")
	switch {
	case b.Attr("auth_token") != nil:
		analyzers.SetNote(el, "authenticated", true, b.Attr("auth_token").Span, "clients must present the AUTH token")
	case b.Attr("user_group_ids") != nil:
		analyzers.SetNote(el, "authenticated", true, b.Attr("user_group_ids").Span, "clients must authenticate as a user of the user group")
	case engine == "memcached":
		el.Default("authenticated", false, "Memcached does not authenticate clients")
	default:
		el.Default("authenticated", false, "no auth_token: any client that reaches the port is served")
	}
	if a := b.Attr("snapshot_retention_limit"); a != nil {
		m.setAs(el, "backup", a, tInt, func(v any) any { return v.(int64) > 0 })
	} else {
		el.Default("backup", false, "snapshot_retention_limit defaults to 0: no automatic backups")
	}
	n := m.netOf(r, "security_group_ids")
	var subnets []*Attribute
	a := b.Attr("subnet_group_name")
	via := ""
	if g := m.target(a, "aws_elasticache_subnet_group"); g != nil {
		subnets, via = attrsAt(g.b, "subnet_ids"), g.addr
	}
	m.place(r, subnets, a, via)
	n.tls, n.auth = el.Attrs["tls_in_transit"], el.Attrs["authenticated"]
}

func buildSQS(m *module, r *res) {
	el := m.store(r, "sqs", "queue")
	b := r.b
	if a := b.Attr("kms_master_key_id"); a != nil {
		if v, _ := m.resolve(a.Expr); v != nil {
			analyzers.SetNote(el, "encrypted_at_rest", true, a.Span, "")
		}
	}
	if _, ok := el.Attrs["encrypted_at_rest"]; !ok {
		m.arg(el, "encrypted_at_rest", b, "sqs_managed_sse_enabled", tBool, true,
			"sqs_managed_sse_enabled defaults to true: SQS has encrypted new queues with SSE-SQS since 2022")
	}
	m.kmsKeyOr(el, b, "kms_master_key_id", "SSE-SQS uses a key that SQS owns")
	el.Default("authenticated", true, "requests to SQS are signed with IAM credentials")
}

func buildSNS(m *module, r *res) {
	el := m.store(r, "sns", "queue")
	b := r.b
	if a := b.Attr("kms_master_key_id"); a != nil {
		if v, _ := m.resolve(a.Expr); v != nil {
			analyzers.SetNote(el, "encrypted_at_rest", true, a.Span, "")
		}
	}
	if _, ok := el.Attrs["encrypted_at_rest"]; !ok {
		el.Default("encrypted_at_rest", false, "no kms_master_key_id: server-side encryption is off")
	}
	m.kmsKeyOr(el, b, "kms_master_key_id", "no KMS key encrypts the topic")
	el.Default("authenticated", true, "requests to SNS are signed with IAM credentials")
}

func buildSecret(m *module, r *res) {
	el := m.store(r, "secrets-manager", "secrets")
	el.Default("encrypted_at_rest", true, "Secrets Manager always encrypts secrets with a KMS key")
	m.kmsKey(el, r.b, "kms_key_id")
	if rot := m.referrers(r.addr, "aws_secretsmanager_secret_rotation", "secret_id"); len(rot) > 0 {
		analyzers.SetNote(el, "rotation", true, rot[0].r.b.Head, "rotated by "+rot[0].r.addr)
		el.Related = append(el.Related, model.Related{Span: rot[0].r.b.Head, Message: "rotation configured by " + rot[0].r.addr})
	} else {
		el.Default("rotation", false, "no aws_secretsmanager_secret_rotation for the secret")
	}
	el.Default("authenticated", true, "requests to Secrets Manager are signed with IAM credentials")
}
