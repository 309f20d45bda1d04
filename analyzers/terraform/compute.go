package terraform

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/model"
)

// --- EC2 ---

func buildInstance(m *module, r *res) {
	el := m.mapped(r)
	n := m.netOf(r, "vpc_security_group_ids", "security_groups")
	m.place(r, m.attrsAt(r.b, "subnet_id"), nil, "")
	n.exposable = true
	switch a := m.attr(r.b, "associate_public_ip_address"); {
	case a != nil && !isNull(m, a):
		m.setAttr(el, "internet_facing", a, tBool)
	case n.subnet != nil:
		mp := m.attr(n.subnet.b, "map_public_ip_on_launch")
		switch v, _ := m.resolve(exprOf(mp)); {
		case mp == nil || v == nil:
			el.Default("internet_facing", false, n.subnet.addr+" does not assign public IPs (map_public_ip_on_launch defaults to false)")
		case isTrue(m, mp):
			el.Default("internet_facing", true, n.subnet.addr+" assigns public IPs on launch")
		case known(v):
			el.Default("internet_facing", false, n.subnet.addr+" does not assign public IPs")
		default:
			el.SetUnknown("internet_facing", mp.Span, unknownNote(v))
		}
	case isNull(m, m.attr(r.b, "subnet_id")) && r.b.First("network_interface") == nil:
		el.Default("internet_facing", true, "no subnet_id: the instance runs in the default VPC, whose subnets assign public IPs")
	default:
		sp := r.b.Head
		if a := m.attr(r.b, "subnet_id"); a != nil {
			sp = a.Span
		}
		el.SetUnknown("internet_facing", sp, "the subnet is not in this module: whether the instance gets a public IP is not known")
	}
	n.publicIP = el.Attrs.At("internet_facing")
}

func buildLaunchTemplate(m *module, r *res) {
	el := m.mapped(r)
	n := m.netOf(r, "vpc_security_group_ids", "network_interfaces.security_groups")
	m.place(r, m.attrsAt(r.b, "network_interfaces.subnet_id"), nil, "")
	n.exposable = true
	if as := m.attrsAt(r.b, "network_interfaces.associate_public_ip_address"); len(as) > 0 {
		m.setAttr(el, "internet_facing", as[0], tBool)
	} else {
		el.SetUnknown("internet_facing", r.b.Head, "the subnets the instances are launched in decide whether they get a public IP")
	}
	n.publicIP = el.Attrs.At("internet_facing")
}

// isNull reports whether a is absent or null.
func isNull(m *module, a *Attribute) bool {
	if a == nil {
		return true
	}
	v, _ := m.resolve(a.Expr)
	return v == nil
}

// setAs records attribute name of el as f of a's value converted by c.
func (m *module) setAs(el *model.Element, name string, a *Attribute, c conv, f func(any) any) any {
	v := m.setAttr(el, name, a, c)
	if v == nil {
		return nil
	}
	at := el.Attrs.At(name)
	at.Value = f(v)
	el.Attrs.Set(name, at)
	return at.Value
}

// --- ECS ---

func buildTaskDefinition(m *module, r *res) {
	for _, s := range m.order {
		if s.typ == "aws_ecs_service" && !s.data && m.taskDefinition(s) == r {
			return // folded into the service that runs it
		}
	}
	el := m.mapped(r)
	m.containers(el, r)
}

func (m *module) taskDefinition(s *res) *res {
	return m.target(m.attr(s.b, "task_definition"), "aws_ecs_task_definition")
}

func buildECSService(m *module, r *res) {
	el := m.mapped(r)
	n := m.netOf(r, "network_configuration.security_groups")
	m.place(r, m.attrsAt(r.b, "network_configuration.subnets"), nil, "")
	n.exposable = true
	n.publicIP = el.Attrs.At("internet_facing")
	if td := m.taskDefinition(r); td != nil {
		el.Related = append(el.Related, model.Related{Span: td.b.Head, Message: "runs the task definition " + td.addr})
		m.containers(el, td)
	}
}

// containerAttrs are the attributes containers reads from container definitions.
var containerAttrs = []string{"privileged", "runs_as_root", "read_only_fs", "secrets_in_env", "uses_vault"}

// containers records on el what the container definitions of task definition td say: the
// first container's image, and what holds for any (privileged, runs_as_root,
// secrets_in_env, uses_vault) or every (read_only_fs) container.
func (m *module) containers(el *model.Element, td *res) {
	if a := m.attr(td.b, "network_mode"); a != nil {
		m.setAs(el, "host_network", a, tString, func(v any) any { return v == "host" })
	} else {
		el.Default("host_network", false, "network_mode defaults to bridge (awsvpc on Fargate)")
	}
	a := m.attr(td.b, "container_definitions")
	if a == nil {
		return
	}
	list := m.jtree(a.Expr, 0)
	if !list.isList {
		note := unknownNote(list.v)
		if note == "" {
			note = "container_definitions is not a list of containers"
		}
		for _, name := range containerAttrs {
			el.SetUnknown(name, a.Span, note)
		}
		return
	}
	got := map[string][]model.Attr{}
	for i, c := range list.list {
		if i == 0 {
			if img := c.get("image"); img != nil {
				if s, ok := img.v.(string); ok {
					el.SetNote("image", s, img.sp, "")
					el.SetNote("image_pinned", imagePinned(s), img.sp, "")
					if al := model.ImageAlias(s); al != "" {
						el.Aliases = append(el.Aliases, al)
					}
				} else {
					el.SetUnknown("image", img.sp, unknownNote(img.v))
				}
			}
		}
		got["privileged"] = append(got["privileged"], jflag(c.get("privileged"), "privileged", false))
		got["read_only_fs"] = append(got["read_only_fs"], jflag(c.get("readonlyRootFilesystem"), "readonlyRootFilesystem", false))
		got["runs_as_root"] = append(got["runs_as_root"], rootUser(c.get("user")))
		got["secrets_in_env"] = append(got["secrets_in_env"], secretsInEnv(c.get("environment")))
		got["uses_vault"] = append(got["uses_vault"], vaultSecrets(c.get("secrets")))
	}
	for _, name := range containerAttrs {
		aggregate(el, name, got[name], name != "read_only_fs")
	}
}

// imagePinned reports whether an image reference names a digest or a version tag
// (container.ImagePinned, for every format).
func imagePinned(ref string) bool {
	pinned, _, _ := container.ImagePinned(ref)
	return pinned
}

func jflag(n *jnode, key string, def bool) model.Attr {
	if n == nil {
		return model.Attr{Value: def, Origin: model.Defaulted, Note: fmt.Sprintf("%s defaults to %v", key, def)}
	}
	if b, ok := asBool(n.v); ok {
		return model.Attr{Value: b, Origin: model.Read, Span: n.sp}
	}
	return unknownAt(n, key+" is not a bool")
}

func unknownAt(n *jnode, fallback string) model.Attr {
	note := unknownNote(n.v)
	if note == "" {
		note = fallback
	}
	return model.Attr{Origin: model.Unknown, Span: n.sp, Note: note}
}

func rootUser(n *jnode) model.Attr {
	if n == nil {
		return model.Attr{Value: true, Origin: model.Defaulted, Note: "no user: the container runs as the image's user, root unless the image sets USER"}
	}
	s, ok := n.v.(string)
	if !ok {
		return unknownAt(n, "user is not a string")
	}
	return model.Attr{Value: s == "root" || s == "0" || strings.HasPrefix(s, "0:") || strings.HasPrefix(s, "root:"), Origin: model.Read, Span: n.sp}
}

func secretsInEnv(env *jnode) model.Attr {
	if env == nil {
		return model.Attr{Value: false, Origin: model.Defaulted, Note: "no environment"}
	}
	if !env.isList {
		return unknownAt(env, "environment is not a list")
	}
	for _, e := range env.list {
		name, _ := e.get("name").str()
		if v := e.get("value"); v != nil && cloud.SecretVar(name, v.v) {
			return model.Attr{Value: true, Origin: model.Read, Span: v.sp, Note: name + " is set in plain text in the task definition"}
		}
	}
	return model.Attr{Value: false, Origin: model.Read, Span: env.sp, Note: "no variable looks like a secret"}
}

func vaultSecrets(n *jnode) model.Attr {
	if n == nil || n.isList && len(n.list) == 0 {
		return model.Attr{Value: false, Origin: model.Defaulted, Note: "no secrets read from Secrets Manager or SSM Parameter Store"}
	}
	return model.Attr{Value: true, Origin: model.Read, Span: n.sp, Note: "secrets come from Secrets Manager or SSM Parameter Store"}
}

// aggregate records on el the attribute of several containers: a read value dom wins, then a
// defaulted dom, an unknown, a read !dom, a defaulted !dom.
func aggregate(el *model.Element, name string, as []model.Attr, dom bool) {
	rank := func(a model.Attr) int {
		switch {
		case a.Origin == model.Read && a.Value == dom:
			return 0
		case a.Origin == model.Defaulted && a.Value == dom:
			return 1
		case a.Origin == model.Unknown:
			return 2
		case a.Origin == model.Read:
			return 3
		}
		return 4
	}
	best := -1
	for i, a := range as {
		if best < 0 || rank(a) < rank(as[best]) {
			best = i
		}
	}
	if best < 0 {
		return
	}
	if a := as[best]; a.Origin == model.Defaulted {
		el.Default(name, a.Value, a.Note)
	} else {
		el.Attrs.Set(name, a)
	}
}

// jnode is a value of an HCL expression or a JSON document, with the span it was read at.
// Objects keep their keys in source order.
type jnode struct {
	v      any // a scalar (nil, bool, int64, string), or *unknownVal
	sp     model.Span
	isList bool
	list   []*jnode
	isObj  bool
	keys   []string
	obj    map[string]*jnode
}

// jtree reads e: lists and objects written in HCL keep the spans of their parts; a string
// holding JSON (at the top) is parsed, its parts spanning the whole expression.
func (m *module) jtree(e *Expr, depth int) *jnode {
	if depth > maxDepth {
		return &jnode{v: &unknownVal{Note: "the value is nested too deeply"}, sp: e.Span}
	}
	switch e.Kind {
	case Tuple:
		n := &jnode{isList: true, sp: e.Span}
		for _, x := range e.Elems {
			n.list = append(n.list, m.jtree(x, depth+1))
		}
		return n
	case Object:
		n := &jnode{isObj: true, obj: map[string]*jnode{}, sp: e.Span}
		for i, k := range e.Keys {
			if _, dup := n.obj[k]; !dup {
				n.keys = append(n.keys, k)
			}
			n.obj[k] = m.jtree(e.Elems[i], depth+1)
		}
		return n
	}
	v, _ := m.resolve(e)
	if s, ok := v.(string); ok && depth == 0 {
		var j any
		if json.Unmarshal([]byte(s), &j) == nil {
			v = cloud.FromJSON(j)
		}
	}
	return valueNode(v, e.Span, 0)
}

func valueNode(v any, sp model.Span, depth int) *jnode {
	if depth > maxDepth {
		return &jnode{v: &unknownVal{Note: "the value is nested too deeply"}, sp: sp}
	}
	switch x := v.(type) {
	case []any:
		n := &jnode{isList: true, sp: sp}
		for _, y := range x {
			n.list = append(n.list, valueNode(y, sp, depth+1))
		}
		return n
	case map[string]any:
		n := &jnode{isObj: true, obj: map[string]*jnode{}, sp: sp}
		for _, k := range cloud.SortedKeys(x) {
			n.keys = append(n.keys, k)
			n.obj[k] = valueNode(x[k], sp, depth+1)
		}
		return n
	}
	return &jnode{v: v, sp: sp}
}

// get returns the value of key k of an object, or nil.
func (n *jnode) get(k string) *jnode {
	if n == nil || !n.isObj {
		return nil
	}
	return n.obj[k]
}

func (n *jnode) str() (string, bool) {
	if n == nil {
		return "", false
	}
	s, ok := n.v.(string)
	return s, ok
}

// --- EKS ---

func buildEKS(m *module, r *res) {
	m.mapped(r)
	m.netOf(r, "vpc_config.security_group_ids")
	m.place(r, m.attrsAt(r.b, "vpc_config.subnet_ids"), nil, "")
}

// --- Lambda ---

func buildLambda(m *module, r *res) {
	el := m.mapped(r)
	m.netOf(r, "vpc_config.security_group_ids")
	m.place(r, m.attrsAt(r.b, "vpc_config.subnet_ids"), nil, "")
	if r.b.First("vpc_config") == nil {
		el.Default("outbound_internet", true, "no vpc_config: the function runs outside a VPC and reaches the internet")
	}
	if a := m.attr(r.b, "image_uri"); a != nil {
		if v := m.setAttr(el, "image", a, tString); v != nil {
			el.SetNote("image_pinned", imagePinned(v.(string)), a.Span, "")
			if al := model.ImageAlias(v.(string)); al != "" {
				el.Aliases = append(el.Aliases, al)
			}
		}
	}
	vars := m.attrsAt(r.b, "environment.variables")
	if len(vars) == 0 {
		el.Default("secrets_in_env", false, "no environment variables")
		return
	}
	a := vars[0]
	env := m.jtree(a.Expr, 0)
	if !env.isObj {
		el.SetUnknown("secrets_in_env", a.Span, unknownAt(env, "environment.variables is not a map").Note)
		return
	}
	for _, k := range env.keys {
		if v := env.obj[k]; cloud.SecretVar(k, v.v) {
			el.SetNote("secrets_in_env", true, v.sp, k+" is set in plain text in the function's configuration")
			break
		}
	}
	if _, ok := el.Attrs.Get("secrets_in_env"); !ok {
		el.SetNote("secrets_in_env", false, a.Span, "no variable looks like a secret")
	}
	// A variable that names a secret of Secrets Manager or a parameter of SSM says where the
	// function reads its secrets.
	if a.Expr.Kind == Object {
		for i, e := range a.Expr.Elems {
			if addr, attr, ok := m.refAddr(e); ok && attr != "secret_string" {
				if t := m.resources[addr].typ; t == "aws_secretsmanager_secret" || t == "aws_ssm_parameter" {
					el.SetNote("uses_vault", true, e.Span, a.Expr.Keys[i]+" names "+addr)
					break
				}
			}
		}
	}
}

// linkFunctionURL makes an aws_lambda_function_url the flow from the internet to its function,
// which becomes internet-facing.
func linkFunctionURL(m *module, r *res) {
	fl := m.element(r, model.Flow, "lambda")
	fl.From = InternetID
	fl.Default("protocol", "https", "function URLs are served over HTTPS only")
	fl.Default("port", int64(443), "function URLs are served on port 443")
	fl.Default("tls", true, "function URLs are served over HTTPS only")
	if a := m.attr(r.b, "authorization_type"); a != nil {
		m.setAs(fl, "authenticated", a, tString, func(v any) any { return v != "NONE" })
	} else {
		fl.SetUnknown("authenticated", r.b.Head, "authorization_type is not set")
	}
	fn := m.target(m.attr(r.b, "function_name"), "aws_lambda_function")
	if fn == nil || fn.el == nil {
		return
	}
	fl.To, fl.Parent = fn.el.ID, fn.el.ID
	fn.el.SetNote("internet_facing", true, r.b.Head, "the function URL "+r.addr+" is reachable from the internet")
	fn.el.Attrs.Set("authenticates", fl.Attrs.At("authenticated"))
	fn.el.Related = append(fn.el.Related, model.Related{Span: r.b.Head, Message: "function URL " + r.addr})
}

// --- API Gateway ---

func buildAPI(m *module, r *res) {
	el := m.mapped(r)
	v2 := r.typ == "aws_apigatewayv2_api"
	switch a := m.attrsAt(r.b, "endpoint_configuration.types"); {
	case v2:
		el.Default("internet_facing", true, "HTTP and WebSocket APIs have public endpoints only")
	case len(a) > 0:
		m.setAs(el, "internet_facing", a[0], tStrings, func(v any) any { return !slices.Contains(v.([]any), any("PRIVATE")) })
	default:
		el.Default("internet_facing", true, "endpoint_configuration defaults to EDGE: a public endpoint")
	}
	m.apiAuth(r, v2)
	m.apiThrottling(r, v2)
	addrs := []string{r.addr}
	for _, st := range m.referrers(r.addr, "aws_api_gateway_stage", "rest_api_id") {
		addrs = append(addrs, st.r.addr)
	}
	m.setWAF(el, addrs...)
	if el.Attrs.At("internet_facing").Value == true {
		m.apiIngress(r)
	}
}

// apiAuth records authenticates: an authorizer of the API, or a method or route that requires
// authorization.
func (m *module) apiAuth(r *res, v2 bool) {
	el := r.el
	idArg, authorizer, method, authArg := "rest_api_id", "aws_api_gateway_authorizer", "aws_api_gateway_method", "authorization"
	if v2 {
		idArg, authorizer, method, authArg = "api_id", "aws_apigatewayv2_authorizer", "aws_apigatewayv2_route", "authorization_type"
	}
	var open *referrer
	for _, ref := range m.refBy[r.addr] {
		if ref.path != idArg {
			continue
		}
		switch ref.r.typ {
		case authorizer:
			el.SetNote("authenticates", true, ref.r.b.Head, "authorizer "+ref.r.addr)
			return
		case method:
			a := m.attr(ref.r.b, authArg)
			if a == nil {
				if open == nil {
					open = &ref
				}
				continue
			}
			v, _ := m.resolve(a.Expr)
			if s, ok := v.(string); ok && !strings.EqualFold(s, "NONE") {
				el.SetNote("authenticates", true, a.Span, ref.r.addr+" requires "+s+" authorization")
				return
			} else if ok && open == nil {
				open = &ref
			}
		}
	}
	switch {
	case open == nil:
		el.Default("authenticates", false, "no authorizer, and no method requires authorization")
	case m.attr(open.r.b, authArg) != nil:
		el.SetNote("authenticates", false, m.attr(open.r.b, authArg).Span, open.r.addr+" requires no authorization, and the API has no authorizer")
	default:
		el.Default("authenticates", false, open.r.addr+" has authorization_type NONE by default, and the API has no authorizer")
	}
}

// apiThrottling records rate_limited: throttling in method settings, a usage plan or a stage.
func (m *module) apiThrottling(r *res, v2 bool) {
	el := r.el
	set := func(a *Attribute, by string) bool {
		v, _ := m.resolve(a.Expr)
		if n, ok := asInt(v); ok {
			el.SetNote("rate_limited", n.(int64) >= 0, a.Span, "throttled by "+by)
			return true
		}
		if f, ok := v.(string); ok && f != "" && f[0] != '-' {
			el.SetNote("rate_limited", true, a.Span, "throttled by "+by)
			return true
		}
		return false
	}
	var paths []struct{ typ, ref, attr string }
	if v2 {
		paths = append(paths,
			struct{ typ, ref, attr string }{"aws_apigatewayv2_stage", "api_id", "default_route_settings.throttling_rate_limit"},
			struct{ typ, ref, attr string }{"aws_apigatewayv2_stage", "api_id", "route_settings.throttling_rate_limit"})
	} else {
		paths = append(paths,
			struct{ typ, ref, attr string }{"aws_api_gateway_method_settings", "rest_api_id", "settings.throttling_rate_limit"},
			struct{ typ, ref, attr string }{"aws_api_gateway_method_settings", "rest_api_id", "settings.throttling_burst_limit"},
			struct{ typ, ref, attr string }{"aws_api_gateway_usage_plan", "api_stages.api_id", "throttle_settings.rate_limit"},
			struct{ typ, ref, attr string }{"aws_api_gateway_usage_plan", "api_stages.api_id", "throttle_settings.burst_limit"})
	}
	for _, p := range paths {
		for _, ref := range m.referrers(r.addr, p.typ, p.ref) {
			for _, a := range m.attrsAt(ref.r.b, p.attr) {
				if set(a, ref.r.addr) {
					return
				}
			}
		}
	}
	el.Default("rate_limited", false, "no stage, method settings or usage plan throttles it: only the account-level limit applies")
}

// setWAF records behind_waf: an aws_wafv2_web_acl_association's resource_arn refers to one of
// addrs (the resource, or an API's stage).
func (m *module) setWAF(el *model.Element, addrs ...string) {
	for _, addr := range addrs {
		if refs := m.referrers(addr, "aws_wafv2_web_acl_association", "resource_arn"); len(refs) > 0 {
			el.SetNote("behind_waf", true, refs[0].a.Span, "web ACL associated by "+refs[0].r.addr)
			return
		}
	}
	el.Default("behind_waf", false, "no aws_wafv2_web_acl_association for it")
}

// apiIngress creates the flow from the internet to an internet-facing API, named
// "<api>.internet".
func (m *module) apiIngress(r *res) {
	api := r.el
	name := r.addr + ".internet"
	fl := &model.Element{ID: m.id(name), Kind: model.Flow, Type: r.typ + ".internet", Name: name,
		Span: r.b.Span, Head: r.b.Head, From: InternetID, To: api.ID, Parent: api.ID}
	fl.Set("technology", "api-gateway", r.b.Head)
	fl.Set("in_scope", true, r.b.Head)
	fl.Set("cloud", "aws", r.b.Head)
	fl.Default("protocol", "https", "API Gateway endpoints are served over HTTPS only")
	fl.Default("port", int64(443), "API Gateway endpoints are served on port 443")
	fl.Default("tls", true, "API Gateway endpoints are served over HTTPS only")
	fl.Attrs.Set("authenticated", api.Attrs.At("authenticates"))
	m.out = append(m.out, fl)
}

// linkIntegration makes an API Gateway integration the flow from its API to the function (or
// load balancer) it calls, when both are in the module.
func linkIntegration(m *module, r *res) {
	idArg, uriArg := "rest_api_id", "uri"
	if r.typ == "aws_apigatewayv2_integration" {
		idArg, uriArg = "api_id", "integration_uri"
	}
	api := m.target(m.attr(r.b, idArg), "aws_api_gateway_rest_api", "aws_apigatewayv2_api")
	addr, _, ok := m.refAddr(exprOf(m.attr(r.b, uriArg)))
	if api == nil || api.el == nil || !ok {
		return
	}
	t := m.resources[addr]
	if t.typ == "aws_lb_listener" || t.typ == "aws_alb_listener" {
		if t = m.target(m.attr(t.b, "load_balancer_arn"), "aws_lb", "aws_alb"); t == nil {
			return
		}
	}
	if t.el == nil || t.el.Kind != model.Component {
		return
	}
	fl := m.element(r, model.Flow, "api-gateway")
	fl.From, fl.To = api.el.ID, t.el.ID
	if t.typ == "aws_lambda_function" {
		fl.Default("protocol", "https", "API Gateway invokes functions through the Lambda API, over HTTPS")
		fl.Default("tls", true, "API Gateway invokes functions through the Lambda API, over HTTPS")
		fl.Default("authenticated", true, "API Gateway invokes functions with IAM credentials")
	}
}
