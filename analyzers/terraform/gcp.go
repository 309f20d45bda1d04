package terraform

import (
	"strings"
)

// sqlFlags are the Cloud SQL database flags read as attributes, by engine prefix: the flag,
// the attribute, and the value that is the attribute's true; a flag that is absent takes
// the attribute's default.
var sqlFlags = []struct {
	engine, flag, attr, on string
	def                    bool
}{
	{"postgres", "log_connections", "log_connections", "on", false},
	{"postgres", "log_disconnections", "log_disconnections", "on", false},
	{"mysql", "local_infile", "local_infile", "on", false},
	{"sqlserver", "contained database authentication", "contained_db_auth", "on", false},
	{"sqlserver", "cross db ownership chaining", "cross_db_ownership", "on", false},
}

// buildCloudSQL reads a Cloud SQL instance: its row, and the database flags that matter for
// security, for its engine.
func buildCloudSQL(m *module, r *res) {
	el := m.mapped(r)
	engine := strings.ToLower(m.str(r.b, "database_version"))
	flags := map[string]*Block{}
	for _, f := range r.b.First("settings").Nested("database_flags") {
		flags[m.str(f, "name")] = f
	}
	for _, sf := range sqlFlags {
		if !strings.HasPrefix(engine, sf.engine) {
			continue
		}
		f := flags[sf.flag]
		if f == nil {
			el.Default(sf.attr, sf.def, "the database flag "+sf.flag+" is not set")
			continue
		}
		if a := m.attr(f, "value"); a != nil {
			v, _ := m.resolve(a.Expr)
			if s, ok := asString(v); ok && known(v) {
				el.SetNote(sf.attr, strings.EqualFold(s.(string), sf.on), a.Span, "database flag "+sf.flag)
			} else {
				el.SetUnknown(sf.attr, a.Span, unknownNote(v))
			}
		}
	}
}

// buildGCEInstance reads a Compute Engine instance: its row, and whether it runs as the
// default compute service account with the cloud-platform scope (every API the account may
// use).
func buildGCEInstance(m *module, r *res) {
	el := m.mapped(r)
	sa := r.b.First("service_account")
	if sa == nil {
		el.Default("default_sa_full_scope", false, "no service_account block: the instance runs with no service account access scopes")
		return
	}
	email := m.str(sa, "email")
	defaultSA := email == "" && m.attr(sa, "email") == nil || strings.HasSuffix(email, "-compute@developer.gserviceaccount.com")
	full := false
	a := m.attr(sa, "scopes")
	if a != nil {
		v, _ := m.resolve(a.Expr)
		l, _ := v.([]any)
		for _, x := range l {
			if s, ok := x.(string); ok && (s == "cloud-platform" || strings.HasSuffix(s, "/auth/cloud-platform")) {
				full = true
			}
		}
	}
	switch {
	case a == nil:
		el.Default("default_sa_full_scope", false, "no scopes")
	case !defaultSA:
		el.SetNote("default_sa_full_scope", false, sa.Head, "the instance runs as "+email)
	default:
		el.SetNote("default_sa_full_scope", full, a.Span, "the default compute service account")
	}
}
