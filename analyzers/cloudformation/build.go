package cloudformation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/threatls/threatls/analyzers/cloud"
	"github.com/threatls/threatls/analyzers/container"
	"github.com/threatls/threatls/model"
)

// builders create the element of a resource where its mapping row does not say everything:
// they call t.mapped for what it says. A type with a row and neither a builder nor a linker
// gets the row's element.
var builders map[string]func(*template, *resource)

// linkers run once every element exists: they attach what points at another resource.
var linkers map[string]func(*template, *resource)

func init() {
	builders = map[string]func(*template, *resource){
		"AWS::EC2::SecurityGroup":                   buildSecurityGroup,
		"AWS::EC2::Instance":                        buildInstance,
		"AWS::ElasticLoadBalancingV2::LoadBalancer": buildLB,
		"AWS::ElasticLoadBalancing::LoadBalancer":   buildELB,
		"AWS::Lambda::Function":                     buildFunction,
		"AWS::Serverless::Function":                 buildFunction,
		"AWS::SecretsManager::Secret":               buildSecret,
		"AWS::ApiGateway::RestApi":                  buildAPI,
		"AWS::Serverless::Api":                      buildAPI,
		"AWS::ApiGatewayV2::Api":                    buildAPI,
		"AWS::Serverless::HttpApi":                  buildAPI,
		"AWS::IAM::Policy":                          buildPolicy,
		"AWS::IAM::ManagedPolicy":                   buildPolicy,
		"AWS::IAM::Role":                            buildPrincipal,
		"AWS::IAM::User":                            buildPrincipal,
		"AWS::IAM::Group":                           buildPrincipal,
	}
	linkers = map[string]func(*template, *resource){
		"AWS::S3::BucketPolicy":                 linkBucketPolicy,
		"AWS::EC2::SecurityGroupIngress":        linkIngress,
		"AWS::ElasticLoadBalancingV2::Listener": linkListener,
		"AWS::Lambda::Url":                      linkFunctionURL,
		"AWS::EC2::FlowLog":                     linkFlowLog,
	}
}

// build creates the template's elements: every resource on its own, then what links
// resources together, then what is derived from both (whether a bucket is public, names).
func (t *template) build() {
	for _, r := range t.res {
		if f, ok := builders[r.typ]; ok {
			f(t, r)
		} else if _, linked := linkers[r.typ]; !linked {
			t.mapped(r)
		}
	}
	for _, r := range t.res {
		if f, ok := linkers[r.typ]; ok {
			f(t, r)
		}
	}
	for _, r := range t.res {
		if r.el == nil {
			continue
		}
		if r.typ == "AWS::S3::Bucket" {
			cloud.BucketPublic(r.el)
			if dst := t.target(r.props.get("LoggingConfiguration").get("DestinationBucketName"), "AWS::S3::Bucket"); dst != nil && dst.el != nil {
				dst.el.SetNote("log_target", true, r.props.get("LoggingConfiguration").sp, r.id+" sends its access logs here")
			}
		}
		if r.el.Kind == model.Component || r.el.Kind == model.Store {
			t.names(r)
		}
	}
}

// target returns the resource of one of types that v names (Ref or Fn::GetAtt), or nil.
func (t *template) target(v *val, types ...string) *resource {
	if v == nil || v.ref == "" {
		return nil
	}
	r := t.byID[v.ref]
	if r == nil || len(types) > 0 && !slices.Contains(types, r.typ) {
		return nil
	}
	return r
}

// referrers returns the resources of type typ whose property at path names r.
func (t *template) referrers(r *resource, typ, path string) []*resource {
	var out []*resource
	for _, o := range t.res {
		if o.typ != typ {
			continue
		}
		v := o.props
		for _, k := range strings.Split(path, ".") {
			v = v.get(k)
		}
		for _, it := range v.items() {
			if it.ref == r.id {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// nameProps are the properties that name a resource for people and for other formats.
var nameProps = []string{"BucketName", "DBInstanceIdentifier", "DBClusterIdentifier", "FunctionName",
	"TableName", "QueueName", "TopicName", "Name", "ClusterName", "ReplicationGroupId", "CacheClusterId"}

// names gives a component or store the aliases other formats may know it by: its logical ID
// and its literal name properties; and records its tags.
func (t *template) names(r *resource) {
	el := r.el
	add := func(s string) {
		if a := model.NameAlias(s); a != "" && !slices.Contains(el.Aliases, a) {
			el.Aliases = append(el.Aliases, a)
		}
	}
	add(r.id)
	for _, p := range nameProps {
		if s, ok := r.props.get(p).str(); ok {
			add(s)
		}
	}
	tags := r.props.get("Tags")
	if tags == nil {
		return
	}
	out := map[string]any{}
	for _, it := range tags.items() {
		k, ok1 := it.get("Key").str()
		v, ok2 := it.get("Value").str()
		if ok1 && ok2 {
			out[k] = v
		}
	}
	if tags.isObj { // SAM writes tags as a map
		for _, k := range tags.keys {
			if v, ok := tags.obj[k].str(); ok {
				out[k] = v
			}
		}
	}
	if len(out) > 0 {
		el.SetNote("tags", out, tags.sp, "")
		if name, ok := out["Name"].(string); ok {
			add(name)
		}
	}
}

// --- S3 ---

// linkBucketPolicy reads a bucket policy onto the bucket it names.
func linkBucketPolicy(t *template, r *resource) {
	el := t.mapped(r)
	bucket := t.target(r.props.get("Bucket"), "AWS::S3::Bucket")
	doc := r.props.get("PolicyDocument")
	apply := func(e *model.Element) {
		if doc == nil {
			return
		}
		p := cloud.ParsePolicy(doc.plain(0), doc.sp)
		if p.Unknown != "" {
			e.SetUnknown("public_policy", doc.sp, p.Unknown)
			return
		}
		pub, sp, note := p.Public()
		if sp.IsZero() {
			sp = doc.sp
		}
		e.SetNote("public_policy", pub, sp, note)
	}
	apply(el)
	if bucket != nil && bucket.el != nil {
		el.Parent = bucket.el.ID
		apply(bucket.el)
		bucket.el.Related = append(bucket.el.Related, model.Related{Span: r.key.Span,
			Message: "bucket policy configured by " + r.id})
	}
}

// --- IAM ---

// buildPolicy reads an AWS::IAM::Policy or ManagedPolicy: its statements, and whom it is
// attached to.
func buildPolicy(t *template, r *resource) {
	el := t.mapped(r)
	for _, x := range []struct{ prop, to string }{{"Users", "user"}, {"Roles", "role"}, {"Groups", "group"}} {
		if v := r.props.get(x.prop); v != nil && len(v.items()) > 0 {
			el.SetNote("attached_to", x.to, v.sp, "")
			break
		}
	}
	doc := r.props.get("PolicyDocument")
	if doc == nil {
		return
	}
	setPolicy(el, doc)
}

// setPolicy records wildcard_actions, wildcard_resources and admin from a policy document.
func setPolicy(el *model.Element, doc *val) {
	p := cloud.ParsePolicy(doc.plain(0), doc.sp)
	if p.Unknown != "" {
		for _, n := range []string{"wildcard_actions", "wildcard_resources", "admin"} {
			el.SetUnknown(n, doc.sp, p.Unknown)
		}
		return
	}
	p.SetWildcards(el, doc.sp)
}

// adminARNs are the AWS managed policies that grant administrator rights.
var adminARNs = []string{":policy/AdministratorAccess", ":policy/IAMFullAccess"}

// buildPrincipal reads an IAM role, user or group: its inline policies and the managed
// policies it attaches.
func buildPrincipal(t *template, r *resource) {
	el := t.mapped(r)
	if el == nil {
		return
	}
	el.SetNote("attached_to", strings.ToLower(strings.TrimPrefix(r.typ, "AWS::IAM::")), r.key.Span, "")
	// The inline policies: the first that grants a wildcard decides, as for one policy.
	var docs []*val
	for _, p := range r.props.get("Policies").items() {
		if d := p.get("PolicyDocument"); d != nil {
			docs = append(docs, d)
		}
	}
	if len(docs) > 0 {
		merged := &val{isObj: true, obj: map[string]*val{}, keys: []string{"Statement"}, sp: docs[0].sp}
		st := &val{isList: true, sp: docs[0].sp}
		for _, d := range docs {
			st.list = append(st.list, d.get("Statement").items()...)
		}
		merged.obj["Statement"] = st
		setPolicy(el, merged)
	} else {
		el.Default("wildcard_actions", false, "no inline policy")
		el.Default("wildcard_resources", false, "no inline policy")
	}
	arns := r.props.get("ManagedPolicyArns")
	if arns == nil {
		if _, ok := el.Attrs.Get("admin"); !ok {
			el.Default("admin", false, "no managed policy is attached")
		}
		return
	}
	for _, a := range arns.items() {
		s, ok := a.str()
		if !ok {
			if note := cloud.UnknownNote(a.plain(0)); note != "" && !adminAttr(el) {
				el.SetUnknown("admin", a.sp, note)
			}
			continue
		}
		for _, suffix := range adminARNs {
			if strings.HasSuffix(s, suffix) {
				el.SetNote("admin", true, a.sp, "attaches "+s)
				el.SetNote("policy_arn", s, a.sp, "")
				return
			}
		}
	}
	if _, ok := el.Attrs.Get("admin"); !ok {
		el.SetNote("admin", false, arns.sp, "no attached managed policy grants administrator access")
	}
}

func adminAttr(el *model.Element) bool {
	a, ok := el.Attrs.Get("admin")
	return ok && a.Value == true
}

// --- network ---

func buildSecurityGroup(t *template, r *resource) {
	sg := t.mapped(r)
	for i, rule := range r.props.get("SecurityGroupIngress").items() {
		fl := t.nested(r, "SecurityGroupIngress", i, rule, model.Flow, "security-group")
		fl.To = sg.ID
		t.ingress(fl, rule)
	}
}

func linkIngress(t *template, r *resource) {
	fl := t.mapped(r)
	if sg := t.target(r.props.get("GroupId"), "AWS::EC2::SecurityGroup"); sg != nil && sg.el != nil {
		fl.To, fl.Parent = sg.el.ID, sg.el.ID
	}
	t.ingress(fl, r.props)
}

// ingress reads the protocol, ports and sources of an ingress rule, as the Terraform analyzer
// does (docs/attributes.md, network rules).
func (t *template) ingress(fl *model.Element, rule *val) {
	all := false
	if p := rule.get("IpProtocol"); p != nil {
		if s, ok := p.str(); ok {
			proto := normProtocol(s)
			fl.SetNote("protocol", proto, p.sp, "")
			if proto == "all" {
				all = true
				fl.SetNote("from_port", int64(0), p.sp, "protocol all opens every port")
				fl.SetNote("to_port", int64(65535), p.sp, "protocol all opens every port")
			}
		} else {
			fl.SetUnknown("protocol", p.sp, unknownNote(p.plain(0)))
		}
	}
	if !all {
		for _, x := range [][2]string{{"from_port", "FromPort"}, {"to_port", "ToPort"}} {
			if v := rule.get(x[1]); v != nil {
				setInt(fl, x[0], v)
			}
		}
	}
	var cidrs []any
	var at *val
	unknown := ""
	for _, name := range []string{"CidrIp", "CidrIpv6"} {
		v := rule.get(name)
		if v == nil {
			continue
		}
		if at == nil {
			at = v
		}
		if s, ok := v.str(); ok {
			cidrs = append(cidrs, s)
		} else if unknown == "" {
			if unknown = unknownNote(v.plain(0)); unknown == "" {
				unknown = name + " is not a CIDR"
			}
		}
	}
	internet := false
	for _, c := range cidrs {
		internet = internet || c == "0.0.0.0/0" || c == "::/0"
	}
	switch {
	case at == nil:
		fl.Default("source_cidrs", []any{}, "the rule admits no CIDR range")
		fl.Default("from_internet", false, "the rule admits no CIDR range")
	case unknown != "":
		fl.SetUnknown("source_cidrs", at.sp, unknown)
		if internet {
			fl.SetNote("from_internet", true, at.sp, "")
		} else {
			fl.SetUnknown("from_internet", at.sp, unknown)
		}
	default:
		fl.SetNote("source_cidrs", cidrs, at.sp, "")
		fl.SetNote("from_internet", internet, at.sp, "")
	}
	if internet {
		fl.From = model.Internet
	} else if src := t.target(rule.get("SourceSecurityGroupId"), "AWS::EC2::SecurityGroup"); src != nil && src.el != nil {
		fl.From = src.el.ID
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

// setInt records an integer attribute from v.
func setInt(el *model.Element, name string, v *val) {
	switch x := v.v.(type) {
	case int64:
		el.SetNote(name, x, v.sp, "")
		return
	case string:
		var n int64
		if _, err := fmt.Sscan(x, &n); err == nil {
			el.SetNote(name, n, v.sp, "")
			return
		}
	}
	note := unknownNote(v.plain(0))
	if note == "" {
		note = "not a whole number"
	}
	el.SetUnknown(name, v.sp, note)
}

// --- load balancers ---

func buildLB(t *template, r *resource) {
	el := t.mapped(r)
	t.setWAF(el, r)
}

func buildELB(t *template, r *resource) {
	el := t.mapped(r)
	for i, l := range r.props.get("Listeners").items() {
		fl := t.nested(r, "Listeners", i, l, model.Flow, "elb")
		fl.To = el.ID
		if el.Attrs.At("internet_facing").Value == true {
			fl.From = model.Internet
		}
		t.listener(fl, l, "Protocol", "LoadBalancerPort", "")
	}
}

func linkListener(t *template, r *resource) {
	fl := t.mapped(r)
	def := "HTTP"
	if lb := t.target(r.props.get("LoadBalancerArn"), "AWS::ElasticLoadBalancingV2::LoadBalancer"); lb != nil && lb.el != nil {
		fl.To, fl.Parent = lb.el.ID, lb.el.ID
		tech := lb.el.Attrs.At("technology").Value
		fl.Attrs.Set("technology", model.Attr{Value: tech, Origin: model.Read, Span: r.key.Span})
		if tech == "nlb" {
			def = "TCP"
		}
		if lb.el.Attrs.At("internet_facing").Value == true {
			fl.From = model.Internet
		}
	}
	t.listener(fl, r.props, "Protocol", "Port", def)
	actions := r.props.get("DefaultActions").items()
	for _, a := range actions {
		if p := a.get("RedirectConfig").get("Protocol"); p != nil {
			if s, _ := p.str(); strings.EqualFold(s, "HTTPS") {
				fl.SetNote("redirects_to_https", true, p.sp, "")
				return
			}
		}
	}
	if len(actions) > 0 {
		fl.SetNote("redirects_to_https", false, actions[0].sp, "the default action does not redirect to HTTPS")
		return
	}
	fl.Default("redirects_to_https", false, "no default action redirects to HTTPS")
}

func (t *template) listener(fl *model.Element, l *val, protoProp, portProp, def string) {
	proto := ""
	if p := l.get(protoProp); p != nil {
		if s, ok := p.str(); ok {
			proto = strings.ToUpper(s)
			fl.SetNote("protocol", proto, p.sp, "")
			fl.SetNote("tls", proto == "HTTPS" || proto == "TLS" || proto == "SSL", p.sp, "")
		} else {
			note := unknownNote(p.plain(0))
			fl.SetUnknown("protocol", p.sp, note)
			fl.SetUnknown("tls", p.sp, note)
		}
	} else if def != "" {
		fl.Default("protocol", def, protoProp+" defaults to "+def)
		fl.Default("tls", false, protoProp+" defaults to "+def)
	}
	if p := l.get(portProp); p != nil {
		setInt(fl, "port", p)
	}
}

// setWAF records behind_waf: an AWS::WAFv2::WebACLAssociation (or a WAF Regional one) whose
// ResourceArn names the resource or one of others (an API's stages).
func (t *template) setWAF(el *model.Element, rs ...*resource) {
	for _, r := range rs {
		for _, typ := range []string{"AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation"} {
			if refs := t.referrers(r, typ, "ResourceArn"); len(refs) > 0 {
				el.SetNote("behind_waf", true, refs[0].props.get("ResourceArn").sp, "web ACL associated by "+refs[0].id)
				return
			}
		}
	}
	el.Default("behind_waf", false, "no WAF web ACL association for it")
}

// --- EC2 ---

func buildInstance(t *template, r *resource) {
	el := t.mapped(r)
	nis := r.props.get("NetworkInterfaces").items()
	switch {
	case len(nis) > 0 && nis[0].get("AssociatePublicIpAddress") != nil:
		setBool(el, "internet_facing", nis[0].get("AssociatePublicIpAddress"))
	case r.props.get("SubnetId") == nil && len(nis) == 0:
		el.Default("internet_facing", true, "no SubnetId: the instance runs in the default VPC, whose subnets assign public IPs")
	default:
		sub := t.target(r.props.get("SubnetId"), "AWS::EC2::Subnet")
		if sub == nil && len(nis) > 0 {
			sub = t.target(nis[0].get("SubnetId"), "AWS::EC2::Subnet")
		}
		if sub == nil {
			el.SetUnknown("internet_facing", r.key.Span, "the subnet is not in this template: whether the instance gets a public IP is not known")
			break
		}
		if v := sub.props.get("MapPublicIpOnLaunch"); v != nil {
			if b, ok := v.v.(bool); ok || v.v == "true" || v.v == "false" {
				el.Default("internet_facing", b || v.v == "true", sub.id+" MapPublicIpOnLaunch")
				break
			}
			el.SetUnknown("internet_facing", v.sp, unknownNote(v.plain(0)))
			break
		}
		el.Default("internet_facing", false, sub.id+" does not assign public IPs (MapPublicIpOnLaunch defaults to false)")
	}
	// An instance launched from a launch template of the template has its metadata options.
	if lt := t.target(r.props.get("LaunchTemplate").get("LaunchTemplateId"), "AWS::EC2::LaunchTemplate"); lt != nil && lt.el != nil {
		if a, ok := lt.el.Attrs.Get("imdsv2"); ok && a.Origin != model.Defaulted {
			el.Attrs.Set("imdsv2", a)
		}
	}
}

// setBool records a boolean attribute from v.
func setBool(el *model.Element, name string, v *val) {
	switch x := v.v.(type) {
	case bool:
		el.SetNote(name, x, v.sp, "")
		return
	case string:
		if x == "true" || x == "false" {
			el.SetNote(name, x == "true", v.sp, "")
			return
		}
	}
	note := unknownNote(v.plain(0))
	if note == "" {
		note = "not a bool"
	}
	el.SetUnknown(name, v.sp, note)
}

// --- Lambda ---

func buildFunction(t *template, r *resource) {
	el := t.mapped(r)
	if r.props.get("VpcConfig") == nil {
		el.Default("outbound_internet", true, "no VpcConfig: the function runs outside a VPC and reaches the internet")
	}
	if img := r.props.get("ImageUri"); img != nil {
		if s, ok := img.str(); ok {
			el.SetNote("image", s, img.sp, "")
			pinned, _, _ := container.ImagePinned(s)
			el.SetNote("image_pinned", pinned, img.sp, "")
			if al := model.ImageAlias(s); al != "" {
				el.Aliases = append(el.Aliases, al)
			}
		}
	}
	t.environment(el, r.props.get("Environment").get("Variables"))
	if u := r.props.get("FunctionUrlConfig"); u != nil {
		fl := t.urlFlow(r.id+"Url", "AWS::Lambda::Url", u.sp, u.get("AuthType"))
		fl.To, fl.Parent = el.ID, el.ID
		exposeFunction(el, fl, u.sp, "its function URL")
	}
	for _, p := range r.props.get("Events").entries() {
		ev := p.v
		typ, _ := ev.get("Type").str()
		if typ != "Api" && typ != "HttpApi" {
			continue
		}
		t.implicitAPI(r, typ, p.k, ev)
	}
}

// entries returns an object's entries in order.
func (v *val) entries() []struct {
	k string
	v *val
} {
	if v == nil || !v.isObj {
		return nil
	}
	out := make([]struct {
		k string
		v *val
	}, 0, len(v.keys))
	for _, k := range v.keys {
		out = append(out, struct {
			k string
			v *val
		}{k, v.obj[k]})
	}
	return out
}

// environment records secrets_in_env and uses_vault from a function's variables.
func (t *template) environment(el *model.Element, vars *val) {
	if vars == nil || !vars.isObj {
		el.Default("secrets_in_env", false, "no environment variables")
		return
	}
	for _, p := range vars.entries() {
		s, isStr := p.v.str()
		switch {
		case isStr && strings.HasPrefix(s, "{{resolve:"):
			// A dynamic reference: CloudFormation reads the value from Secrets Manager or SSM.
			if _, ok := el.Attrs.Get("uses_vault"); !ok {
				el.SetNote("uses_vault", true, p.v.sp, p.k+" is a dynamic reference to "+strings.TrimPrefix(strings.SplitN(s, ":", 3)[1], "{{"))
			}
		case p.v.ref != "" && (t.byID[p.v.ref].typ == "AWS::SecretsManager::Secret" || t.byID[p.v.ref].typ == "AWS::SSM::Parameter"):
			if _, ok := el.Attrs.Get("uses_vault"); !ok {
				el.SetNote("uses_vault", true, p.v.sp, p.k+" names "+p.v.ref)
			}
		case cloud.SecretVar(p.k, p.v.plain(0)) && cloud.Known(p.v.plain(0)):
			if _, ok := el.Attrs.Get("secrets_in_env"); !ok {
				el.SetNote("secrets_in_env", true, p.v.sp, p.k+" is set in plain text in the function's configuration")
			}
		}
	}
	if _, ok := el.Attrs.Get("secrets_in_env"); !ok {
		el.SetNote("secrets_in_env", false, vars.sp, "no variable looks like a secret")
	}
}

// urlFlow creates the flow from the internet that a function URL is, named name.
func (t *template) urlFlow(name, typ string, sp model.Span, auth *val) *model.Element {
	fl := &model.Element{ID: Name + ":" + t.file + "/" + name, Kind: model.Flow, Type: typ, Name: name,
		Span: sp, Head: sp, From: model.Internet}
	fl.Set("technology", "lambda", sp)
	fl.Set("in_scope", true, sp)
	fl.Set("cloud", "aws", sp)
	fl.Default("protocol", "https", "function URLs are served over HTTPS only")
	fl.Default("port", int64(443), "function URLs are served on port 443")
	fl.Default("tls", true, "function URLs are served over HTTPS only")
	switch s, ok := auth.str(); {
	case ok:
		fl.SetNote("authenticated", !strings.EqualFold(s, "NONE"), auth.sp, "")
	case auth != nil:
		fl.SetUnknown("authenticated", auth.sp, unknownNote(auth.plain(0)))
	default:
		fl.SetUnknown("authenticated", sp, "AuthType is not set")
	}
	t.els = append(t.els, fl)
	return fl
}

// exposeFunction makes a function internet-facing through fl.
func exposeFunction(el, fl *model.Element, sp model.Span, what string) {
	el.SetNote("internet_facing", true, sp, what+" is reachable from the internet")
	el.Attrs.Set("authenticates", fl.Attrs.At("authenticated"))
	el.Related = append(el.Related, model.Related{Span: sp, Message: what})
}

func linkFunctionURL(t *template, r *resource) {
	fl := t.urlFlow(r.id, r.typ, r.span(), r.props.get("AuthType"))
	fl.Head = r.key.Span
	r.el = fl
	fn := t.target(r.props.get("TargetFunctionArn"), "AWS::Lambda::Function", "AWS::Serverless::Function")
	if fn == nil || fn.el == nil {
		return
	}
	fl.To, fl.Parent = fn.el.ID, fn.el.ID
	exposeFunction(fn.el, fl, r.key.Span, "the function URL "+r.id)
}

// implicitAPI models the API a SAM function's Api or HttpApi event is served by: the API the
// event names, or the one SAM creates (ServerlessRestApi, ServerlessHttpApi).
func (t *template) implicitAPI(fn *resource, typ, event string, ev *val) {
	prop, name, apiType := "RestApiId", "ServerlessRestApi", "AWS::Serverless::Api"
	if typ == "HttpApi" {
		prop, name, apiType = "ApiId", "ServerlessHttpApi", "AWS::Serverless::HttpApi"
	}
	var api *model.Element
	if a := t.target(ev.get("Properties").get(prop)); a != nil && a.el != nil {
		api = a.el
	} else {
		id := Name + ":" + t.file + "/" + name
		for _, e := range t.els {
			if e.ID == id {
				api = e
			}
		}
		if api == nil {
			api = &model.Element{ID: id, Kind: model.Component, Type: apiType, Name: name, Span: ev.sp, Head: ev.sp}
			api.Set("technology", "api-gateway", ev.sp)
			api.Set("in_scope", true, ev.sp)
			api.Set("cloud", "aws", ev.sp)
			api.Default("internet_facing", true, "SAM's implicit API has a public endpoint")
			api.Default("rate_limited", false, "the implicit API has no throttling settings: only the account-level limit applies")
			api.Default("behind_waf", false, "the implicit API has no WAF web ACL")
			t.els = append(t.els, api)
			t.apiIngress(api, ev.sp)
		}
	}
	// An event's own Auth, or the implicit API's Globals, says whether callers authenticate.
	if auth := ev.get("Properties").get("Auth").get("Authorizer"); auth != nil {
		s, _ := auth.str()
		if a, ok := api.Attrs.Get("authenticates"); !ok || a.Value == false {
			api.SetNote("authenticates", s != "" && s != "NONE", auth.sp, "the "+event+" event's authorizer")
		}
	} else if _, ok := api.Attrs.Get("authenticates"); !ok {
		if g := t.globals.Path(strings.TrimPrefix(apiType, "AWS::Serverless::"), "Auth", "DefaultAuthorizer"); g != nil {
			api.SetNote("authenticates", true, g.Span, "the default authorizer of Globals")
		} else {
			api.Default("authenticates", false, "no authorizer for the "+event+" event")
		}
	}
	if fl := t.ingressOf(api); fl != nil {
		fl.Attrs.Set("authenticated", api.Attrs.At("authenticates"))
	}
	fl := &model.Element{ID: Name + ":" + t.file + "/" + fn.id + "." + event, Kind: model.Flow, Type: apiType + ".event",
		Name: fn.id + "." + event, Span: ev.sp, Head: ev.sp, From: api.ID, To: fn.el.ID, Parent: fn.el.ID}
	fl.Set("technology", "api-gateway", ev.sp)
	fl.Set("in_scope", true, ev.sp)
	fl.Set("cloud", "aws", ev.sp)
	fl.Default("protocol", "https", "API Gateway invokes functions through the Lambda API, over HTTPS")
	fl.Default("tls", true, "API Gateway invokes functions through the Lambda API, over HTTPS")
	fl.Default("authenticated", true, "API Gateway invokes functions with IAM credentials")
	t.els = append(t.els, fl)
}

// apiIngress creates the flow from the internet to an internet-facing API, named
// "<api>.internet".
func (t *template) apiIngress(api *model.Element, sp model.Span) {
	name := api.Name + ".internet"
	fl := &model.Element{ID: Name + ":" + t.file + "/" + name, Kind: model.Flow, Type: api.Type + ".internet", Name: name,
		Span: sp, Head: sp, From: model.Internet, To: api.ID, Parent: api.ID}
	fl.Set("technology", "api-gateway", sp)
	fl.Set("in_scope", true, sp)
	fl.Set("cloud", "aws", sp)
	fl.Default("protocol", "https", "API Gateway endpoints are served over HTTPS only")
	fl.Default("port", int64(443), "API Gateway endpoints are served on port 443")
	fl.Default("tls", true, "API Gateway endpoints are served over HTTPS only")
	if a, ok := api.Attrs.Get("authenticates"); ok {
		fl.Attrs.Set("authenticated", a)
	}
	t.els = append(t.els, fl)
}

func (t *template) ingressOf(api *model.Element) *model.Element {
	for _, e := range t.els {
		if e.Kind == model.Flow && e.To == api.ID && e.From == model.Internet {
			return e
		}
	}
	return nil
}

// --- API Gateway ---

func buildAPI(t *template, r *resource) {
	el := t.mapped(r)
	v2 := r.typ == "AWS::ApiGatewayV2::Api" || r.typ == "AWS::Serverless::HttpApi"
	ec := r.props.get("EndpointConfiguration")
	types := ec.get("Types")
	if types == nil {
		types = ec.get("Type") // SAM
	}
	switch {
	case v2:
		el.Default("internet_facing", true, "HTTP and WebSocket APIs have public endpoints only")
	case types != nil:
		l, ok := types.plain(0).([]any)
		if s, isStr := types.str(); isStr {
			l, ok = []any{s}, true
		}
		if ok && cloud.Known(l) {
			el.SetNote("internet_facing", !slices.ContainsFunc(l, func(x any) bool { return x == "PRIVATE" }), types.sp, "")
		} else {
			el.SetUnknown("internet_facing", types.sp, unknownNote(types.plain(0)))
		}
	default:
		el.Default("internet_facing", true, "EndpointConfiguration defaults to EDGE: a public endpoint")
	}
	t.apiAuth(r, v2)
	t.apiThrottling(r)
	stages := append([]*resource{r}, t.referrers(r, "AWS::ApiGateway::Stage", "RestApiId")...)
	t.setWAF(el, stages...)
	if el.Attrs.At("internet_facing").Value == true {
		t.apiIngress(el, r.key.Span)
	}
}

// apiAuth records authenticates: an authorizer of the API (or a SAM default authorizer), or a
// method or route that requires authorization.
func (t *template) apiAuth(r *resource, v2 bool) {
	el := r.el
	if d := r.props.get("Auth").get("DefaultAuthorizer"); d != nil {
		s, _ := d.str()
		el.SetNote("authenticates", s != "" && s != "NONE", d.sp, "the API's default authorizer")
		return
	}
	idProp, authorizer, method, authProp := "RestApiId", "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Method", "AuthorizationType"
	if v2 {
		idProp, authorizer, method = "ApiId", "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::Route"
	}
	if a := t.referrers(r, authorizer, idProp); len(a) > 0 {
		el.SetNote("authenticates", true, a[0].key.Span, "authorizer "+a[0].id)
		return
	}
	var open *resource
	for _, m := range t.referrers(r, method, idProp) {
		a := m.props.get(authProp)
		if s, ok := a.str(); ok && !strings.EqualFold(s, "NONE") {
			el.SetNote("authenticates", true, a.sp, m.id+" requires "+s+" authorization")
			return
		} else if open == nil {
			open = m
		}
	}
	if open != nil {
		if a := open.props.get(authProp); a != nil {
			el.SetNote("authenticates", false, a.sp, open.id+" requires no authorization, and the API has no authorizer")
			return
		}
		el.Default("authenticates", false, open.id+" has AuthorizationType NONE by default, and the API has no authorizer")
		return
	}
	el.Default("authenticates", false, "no authorizer, and no method requires authorization")
}

// apiThrottling records rate_limited: throttling in the API's or a stage's method settings,
// or a usage plan.
func (t *template) apiThrottling(r *resource) {
	el := r.el
	check := func(v *val, by string) bool {
		for _, ms := range v.items() {
			for _, k := range []string{"ThrottlingRateLimit", "ThrottlingBurstLimit", "RateLimit", "BurstLimit"} {
				if x := ms.get(k); x != nil {
					if n, ok := x.v.(int64); ok {
						el.SetNote("rate_limited", n >= 0, x.sp, "throttled by "+by)
						return true
					}
				}
			}
		}
		return false
	}
	if check(r.props.get("MethodSettings"), r.id) || check(r.props.get("DefaultRouteSettings"), r.id) {
		return
	}
	for _, st := range t.referrers(r, "AWS::ApiGateway::Stage", "RestApiId") {
		if check(st.props.get("MethodSettings"), st.id) {
			return
		}
	}
	for _, up := range t.referrers(r, "AWS::ApiGateway::UsagePlan", "ApiStages.ApiId") {
		if check(up.props.get("Throttle"), up.id) {
			return
		}
	}
	el.Default("rate_limited", false, "no stage, method settings or usage plan throttles it: only the account-level limit applies")
}

// linkFlowLog records flow_logs on the VPC or subnet an AWS::EC2::FlowLog names.
func linkFlowLog(t *template, r *resource) {
	t.mapped(r)
	if z := t.target(r.props.get("ResourceId"), "AWS::EC2::VPC", "AWS::EC2::Subnet"); z != nil && z.el != nil {
		z.el.SetNote("flow_logs", true, r.key.Span, "recorded by "+r.id)
	}
}

// --- Secrets Manager ---

func buildSecret(t *template, r *resource) {
	el := t.mapped(r)
	if rot := t.referrers(r, "AWS::SecretsManager::RotationSchedule", "SecretId"); len(rot) > 0 {
		el.SetNote("rotation", true, rot[0].key.Span, "rotated by "+rot[0].id)
		el.Related = append(el.Related, model.Related{Span: rot[0].key.Span, Message: "rotation configured by " + rot[0].id})
	} else {
		el.Default("rotation", false, "no AWS::SecretsManager::RotationSchedule for the secret")
	}
}

func unknownNote(v any) string { return cloud.UnknownNote(v) }
