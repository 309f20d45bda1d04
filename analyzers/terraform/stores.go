package terraform

import (
	"strconv"
	"strings"

	"github.com/threatls/threatls/model"
)

// rdsNetwork records what an RDS instance or cluster says of its network and its clients:
// zone (from its subnet group), and the TLS its parameter group enforces.
func (m *module) rdsNetwork(r *res) {
	el := r.el
	n := m.netOf(r, "vpc_security_group_ids")
	var subnets []*Attribute
	a := m.attr(r.b, "db_subnet_group_name")
	via := ""
	if g := m.target(a, "aws_db_subnet_group"); g != nil {
		subnets, via = m.attrsAt(g.b, "subnet_ids"), g.addr
	}
	m.place(r, subnets, a, via)
	n.auth = el.Attrs.At("authenticated")
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
	if pg := m.target(m.attr(r.b, arg), typ); pg != nil {
		for _, p := range pg.b.Nested("parameter") {
			name := m.str(p, "name")
			a := m.attr(p, "value")
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

func buildElastiCache(m *module, r *res) {
	el := m.mapped(r)
	b := r.b
	n := m.netOf(r, "security_group_ids")
	var subnets []*Attribute
	a := m.attr(b, "subnet_group_name")
	via := ""
	if g := m.target(a, "aws_elasticache_subnet_group"); g != nil {
		subnets, via = m.attrsAt(g.b, "subnet_ids"), g.addr
	}
	m.place(r, subnets, a, via)
	n.tls, n.auth = el.Attrs.At("tls_in_transit"), el.Attrs.At("authenticated")
}

func buildSecret(m *module, r *res) {
	el := m.mapped(r)
	if rot := m.referrers(r.addr, "aws_secretsmanager_secret_rotation", "secret_id"); len(rot) > 0 {
		el.SetNote("rotation", true, rot[0].r.b.Head, "rotated by "+rot[0].r.addr)
		el.Related = append(el.Related, model.Related{Span: rot[0].r.b.Head, Message: "rotation configured by " + rot[0].r.addr})
	} else {
		el.Default("rotation", false, "no aws_secretsmanager_secret_rotation for the secret")
	}
}
