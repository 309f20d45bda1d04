package terraform

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/threatls/threatls/model"
)

// referrer is an attribute of a resource that refers to another resource of the module.
type referrer struct {
	r    *res
	path string // the attribute's path in r's block: "subnet_id", "network_configuration.subnets"
	a    *Attribute
}

// netInfo is what a component or store says of its network.
type netInfo struct {
	sgs    []string // the addresses of the security groups it is a member of
	subnet *res     // the first subnet of the module it sits in, or nil
	// exposable is set when an ingress rule from the internet to one of its groups may make
	// it internet-facing; publicIP then says whether it has a public IP (Value true or false,
	// or origin Unknown).
	exposable bool
	publicIP  model.Attr
	exposed   bool // a rule from the internet has set its internet_facing
	// tls and auth are what a flow into a store can rely on (zero when it says nothing).
	tls, auth model.Attr
}

// rule is an ingress rule of a security group of the module.
type rule struct {
	el      *model.Element // the rule's flow
	sg      string         // the address of the security group it admits traffic to, or ""
	sources []string       // the addresses of the security groups it admits traffic from
}

// nameArgs are the arguments that name a resource for people and for other formats.
var nameArgs = []string{"name", "identifier", "cluster_identifier", "bucket", "function_name",
	"replication_group_id", "cluster_id", "family"}

// genericLabels are resource labels that name nothing: they give no alias.
var genericLabels = map[string]bool{"this": true, "main": true, "default": true}

// index records, for every resource of the module, the attributes of other resources that
// refer to it (in plain references or lists of them, top-level or in nested blocks), and the
// literal names of resources.
func (m *module) index() {
	m.refBy = map[string][]referrer{}
	m.byName = map[string]*res{}
	m.subnetPub = map[string]model.Attr{}
	m.flowNames = map[string]bool{}
	for _, r := range m.order {
		if r.data {
			continue
		}
		m.indexBlock(r, r.b, "", 0)
		for _, arg := range nameArgs {
			if s := m.str(r.b, arg); s != "" {
				if _, dup := m.byName[r.typ+" "+s]; !dup {
					m.byName[r.typ+" "+s] = r
				}
			}
		}
	}
}

func (m *module) indexBlock(r *res, b *Block, prefix string, depth int) {
	for _, a := range b.Attrs {
		for _, addr := range m.refs(a) {
			m.refBy[addr] = append(m.refBy[addr], referrer{r: r, path: prefix + a.Name, a: a})
		}
	}
	if depth < 4 {
		for _, c := range b.Blocks {
			m.indexBlock(r, c, prefix+c.Type+".", depth+1)
		}
	}
}

// referrers returns the resources of type typ that refer to addr by the attribute at path.
func (m *module) referrers(addr, typ, path string) []referrer {
	var out []referrer
	for _, ref := range m.refBy[addr] {
		if ref.r.typ == typ && ref.path == path {
			out = append(out, ref)
		}
	}
	return out
}

// refs returns the addresses of the module's resources that a refers to, directly or as
// elements of a list.
func (m *module) refs(a *Attribute) []string {
	if a == nil {
		return nil
	}
	es := []*Expr{a.Expr}
	if a.Expr != nil && a.Expr.Kind == Tuple {
		es = a.Expr.Elems
	}
	var out []string
	for _, e := range es {
		if addr, _, ok := m.refAddr(e); ok {
			out = append(out, addr)
		}
	}
	return out
}

// resOf returns the resource (not data source) of type typ that e refers to, or nil.
func (m *module) resOf(e *Expr, typ string) *res {
	if addr, _, ok := m.refAddr(e); ok {
		if r := m.resources[addr]; r.typ == typ && !r.data {
			return r
		}
	}
	return nil
}

func exprOf(a *Attribute) *Expr {
	if a == nil {
		return nil
	}
	return a.Expr
}

// nestedAttrs returns the attributes of b's nested blocks (one level down).
func nestedAttrs(b *Block) []*Attribute {
	var out []*Attribute
	for _, c := range b.Blocks {
		out = append(out, c.Attrs...)
	}
	return out
}

// attrsAt returns the attributes at path in b ("network_configuration.subnets"), in every
// nested block of the path.
func (m *module) attrsAt(b *Block, path string) []*Attribute {
	parts := strings.Split(path, ".")
	blocks := []*Block{b}
	for _, p := range parts[:len(parts)-1] {
		var next []*Block
		for _, x := range blocks {
			next = append(next, x.Nested(p)...)
		}
		blocks = next
	}
	var out []*Attribute
	for _, x := range blocks {
		if a := m.attr(x, parts[len(parts)-1]); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// interpolatedRef matches a reference to a resource inside an interpolation.
var interpolatedRef = regexp.MustCompile(`\$\{\s*(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.`)

// target returns the resource of one of types that a names: by reference (plain, or the
// first one in an interpolation), or by a literal name (an ARN's last part, or a task
// definition's family before ":revision").
func (m *module) target(a *Attribute, types ...string) *res {
	if a == nil {
		return nil
	}
	if addr, _, ok := m.refAddr(a.Expr); ok {
		if r := m.resources[addr]; slices.Contains(types, r.typ) && !r.data {
			return r
		}
		return nil
	}
	if a.Expr.Kind == Template {
		// "${aws_ecs_task_definition.api.family}:${aws_ecs_task_definition.api.revision}"
		for _, part := range a.Expr.Elems {
			if addr, _, ok := m.refAddr(part); ok {
				if r := m.resources[addr]; slices.Contains(types, r.typ) && !r.data {
					return r
				}
			}
		}
	}
	if a.Expr.Kind == Computed || a.Expr.Kind == Template {
		for _, mt := range interpolatedRef.FindAllStringSubmatch(a.Expr.Text, -1) {
			if r := m.resources[mt[1]+"."+mt[2]]; r != nil && slices.Contains(types, r.typ) && !r.data {
				return r
			}
		}
		return nil
	}
	v, _ := m.resolve(a.Expr)
	s, ok := v.(string)
	if !ok || s == "" {
		return nil
	}
	names := []string{s}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		names = append(names, s[i+1:], s[:i])
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		names = append(names, s[i+1:])
	}
	for _, n := range names {
		for _, t := range types {
			if r := m.byName[t+" "+n]; r != nil {
				return r
			}
		}
	}
	return nil
}

// --- zones ---

func buildVPC(m *module, r *res) {
	el := m.mapped(r)
	el.Default("trust", "internal", "a VPC is private address space: internal unless threatls.yaml says otherwise")
}

// linkFlowLog records flow_logs on the VPC or subnet an aws_flow_log names.
func linkFlowLog(m *module, r *res) {
	m.mapped(r)
	for _, arg := range []string{"vpc_id", "subnet_id"} {
		if z := m.resOf(exprOf(m.attr(r.b, arg)), map[string]string{"vpc_id": "aws_vpc", "subnet_id": "aws_subnet"}[arg]); z != nil && z.el != nil {
			z.el.SetNote("flow_logs", true, r.b.Head, "recorded by "+r.addr)
			z.el.Related = append(z.el.Related, model.Related{Span: r.b.Head, Message: "flow logs recorded by " + r.addr})
		}
	}
}

func buildSubnet(m *module, r *res) {
	el := m.element(r, model.Zone, "subnet")
	if a := m.attr(r.b, "vpc_id"); a != nil {
		if vpc := m.resOf(a.Expr, "aws_vpc"); vpc != nil {
			el.Parent = m.id(vpc.addr)
			el.SetNote("parent", el.Parent, a.Span, "")
		}
	}
	pub := m.subnetPublic(r)
	el.Attrs.Set("public", pub)
	trust := pub
	switch {
	case pub.Origin == model.Unknown:
		el.Default("trust", "internal", "whether the subnet is public is not known ("+pub.Note+"): internal is assumed")
		return
	case pub.Value == true:
		trust.Value = "dmz"
	default:
		trust.Value = "internal"
	}
	el.Attrs.Set("trust", trust)
}

// routing is what the module's route tables say. A table's key is its address, or
// "main:" and the VPC's address for a VPC's main route table (aws_default_route_table, or
// the VPC's main_route_table_id).
type routing struct {
	igw   map[string]*Attribute // table key → gateway_id of its default route to an internet gateway
	assoc map[string]*Attribute // subnet address → route_table_id of its association
	main  map[string]string     // VPC address → key of the table an association makes main
}

func (m *module) routing() *routing {
	if m.routes != nil {
		return m.routes
	}
	rt := &routing{igw: map[string]*Attribute{}, assoc: map[string]*Attribute{}, main: map[string]string{}}
	m.routes = rt
	addRoute := func(key string, g *Attribute) {
		if g != nil && rt.igw[key] == nil {
			rt.igw[key] = g
		}
	}
	for _, r := range m.order {
		if r.data {
			continue
		}
		switch r.typ {
		case "aws_route_table", "aws_default_route_table":
			key := m.ownTableKey(r)
			for _, rb := range r.b.Nested("route") {
				addRoute(key, m.igwRoute(rb, "cidr_block", "ipv6_cidr_block"))
			}
		case "aws_route":
			if key, ok := m.tableKey(exprOf(m.attr(r.b, "route_table_id"))); ok {
				addRoute(key, m.igwRoute(r.b, "destination_cidr_block", "destination_ipv6_cidr_block"))
			}
		case "aws_route_table_association":
			if addr, _, ok := m.refAddr(exprOf(m.attr(r.b, "subnet_id"))); ok {
				if a := m.attr(r.b, "route_table_id"); a != nil && rt.assoc[addr] == nil {
					rt.assoc[addr] = a
				}
			}
		case "aws_main_route_table_association":
			vpc := m.resOf(exprOf(m.attr(r.b, "vpc_id")), "aws_vpc")
			if key, known := m.tableKey(exprOf(m.attr(r.b, "route_table_id"))); vpc != nil && known {
				rt.main[vpc.addr] = key
			}
		}
	}
	return rt
}

// ownTableKey is the key of a route table resource.
func (m *module) ownTableKey(r *res) string {
	if r.typ == "aws_default_route_table" {
		if vpc := m.resOf(exprOf(m.attr(r.b, "default_route_table_id")), "aws_vpc"); vpc != nil {
			return "main:" + vpc.addr
		}
	}
	return r.addr
}

// tableKey returns the key of the route table e refers to.
func (m *module) tableKey(e *Expr) (string, bool) {
	addr, attr, ok := m.refAddr(e)
	if !ok {
		return "", false
	}
	switch r := m.resources[addr]; {
	case r.data:
	case r.typ == "aws_route_table" || r.typ == "aws_default_route_table":
		return m.ownTableKey(r), true
	case r.typ == "aws_vpc":
		if attr == "main_route_table_id" || attr == "default_route_table_id" {
			return "main:" + addr, true
		}
	}
	return "", false
}

func tableName(key string) string {
	if vpc, ok := strings.CutPrefix(key, "main:"); ok {
		return "the main route table of " + vpc
	}
	return key
}

// igwRoute returns the gateway_id of b when b is a default route (0.0.0.0/0 or ::/0) to an
// internet gateway, else nil.
func (m *module) igwRoute(b *Block, v4, v6 string) *Attribute {
	if m.str(b, v4) != "0.0.0.0/0" && m.str(b, v6) != "::/0" {
		return nil
	}
	g := m.attr(b, "gateway_id")
	if g == nil {
		return nil
	}
	if addr, _, ok := m.refAddr(g.Expr); ok {
		if m.resources[addr].typ == "aws_internet_gateway" {
			return g
		}
		return nil
	}
	if strings.HasPrefix(m.str(b, "gateway_id"), "igw-") {
		return g
	}
	return nil
}

// subnetPublic says whether subnet r is public: its route table (associated, or else its
// VPC's main one) routes 0.0.0.0/0 to an internet gateway, or it assigns public IPs on launch.
func (m *module) subnetPublic(r *res) model.Attr {
	if a, ok := m.subnetPub[r.addr]; ok {
		return a
	}
	a := m.decidePublic(r)
	m.subnetPub[r.addr] = a
	return a
}

func (m *module) decidePublic(r *res) model.Attr {
	rt := m.routing()
	read := func(v bool, at model.Span, note string) model.Attr {
		return model.Attr{Value: v, Origin: model.Read, Span: at, Note: note}
	}
	assoc := rt.assoc[r.addr]
	vpc := m.resOf(exprOf(m.attr(r.b, "vpc_id")), "aws_vpc")
	key, known := "", false
	switch {
	case assoc != nil:
		key, known = m.tableKey(assoc.Expr)
	case vpc != nil:
		key, known = "main:"+vpc.addr, true
		if k, ok := rt.main[vpc.addr]; ok {
			key = k
		}
	}
	if g := rt.igw[key]; known && g != nil {
		gw := strings.TrimSpace(exprText(g.Expr))
		if addr, _, ok := m.refAddr(g.Expr); ok {
			gw = addr
		}
		return read(true, g.Span, fmt.Sprintf("%s routes 0.0.0.0/0 to the internet gateway %s", tableName(key), gw))
	}
	if mp := m.attr(r.b, "map_public_ip_on_launch"); mp != nil && isTrue(m, mp) {
		return read(true, mp.Span, "the subnet assigns public IPs on launch")
	}
	switch {
	case assoc != nil && !known:
		return model.Attr{Origin: model.Unknown, Span: assoc.Span, Note: "the associated route table is not in this module"}
	case assoc != nil:
		return read(false, assoc.Span, tableName(key)+" has no route to an internet gateway")
	case known:
		return model.Attr{Value: false, Origin: model.Defaulted, Span: r.b.Head,
			Note: "no route table association: " + tableName(key) + " has no route to an internet gateway"}
	}
	sp := r.b.Head
	if a := m.attr(r.b, "vpc_id"); a != nil {
		sp = a.Span
	}
	return model.Attr{Origin: model.Unknown, Span: sp, Note: "the subnet's VPC and route tables are not in this module"}
}

func exprText(e *Expr) string {
	if e == nil {
		return ""
	}
	if s, ok := e.Lit.(string); ok {
		return s
	}
	return e.Text
}

// netOf records the security groups r is a member of (named by the attributes at sgPaths).
func (m *module) netOf(r *res, sgPaths ...string) *netInfo {
	n := &netInfo{}
	r.net = n
	for _, p := range sgPaths {
		for _, a := range m.attrsAt(r.b, p) {
			for _, addr := range m.refs(a) {
				if m.resources[addr].typ == "aws_security_group" && !slices.Contains(n.sgs, addr) {
					n.sgs = append(n.sgs, addr)
				}
			}
		}
	}
	return n
}

// place sets r's subnet and zone from the first subnet of the module that the attributes
// subnets name, or else from the VPC of its first security group. at, when not nil, is the
// attribute the zone is read at instead (a subnet group's name on a database), via the
// resource the subnets were found in.
func (m *module) place(r *res, subnets []*Attribute, at *Attribute, via string) {
	n, el := r.net, r.el
	count := 0
	var first *Attribute
	for _, a := range subnets {
		for _, addr := range m.refs(a) {
			if s := m.resources[addr]; s.typ == "aws_subnet" && !s.data {
				if n.subnet == nil {
					n.subnet, first = s, a
				}
				count++
			}
		}
	}
	if n.subnet != nil {
		var notes []string
		if via != "" {
			notes = append(notes, "from "+via)
		}
		if count > 1 {
			notes = append(notes, fmt.Sprintf("the first of %d subnets", count))
		}
		if at == nil {
			at = first
		}
		el.SetNote("zone", m.id(n.subnet.addr), at.Span, strings.Join(notes, "; "))
		return
	}
	for _, sg := range n.sgs {
		vpc := m.resOf(exprOf(m.attr(m.resources[sg].b, "vpc_id")), "aws_vpc")
		if vpc == nil {
			continue
		}
		for _, a := range slices.Concat(r.b.Attrs, nestedAttrs(r.b)) {
			if slices.Contains(m.refs(a), sg) {
				el.SetNote("zone", m.id(vpc.addr), a.Span, "the VPC of "+sg)
				return
			}
		}
	}
}

// --- flows ---

// topology runs once every element exists: it creates the flows from load balancers to
// their targets and the flows security groups admit between elements, and marks the
// elements an ingress rule from the internet exposes.
func (m *module) topology() {
	users := map[string][]*res{}
	for _, r := range m.order {
		if r.net == nil || r.el == nil {
			continue
		}
		for _, sg := range r.net.sgs {
			users[sg] = append(users[sg], r)
		}
	}
	linked := map[[2]string]bool{}
	for _, r := range m.order {
		switch {
		case r.data:
		case r.typ == "aws_lb_target_group_attachment" || r.typ == "aws_alb_target_group_attachment":
			m.attachmentFlow(r, linked)
		case r.typ == "aws_ecs_service" && r.el != nil:
			for i, lb := range r.b.Nested("load_balancer") {
				m.serviceLBFlow(r, lb, i, linked)
			}
		}
	}
	seen := map[string]bool{}
	for _, ru := range m.rules {
		if ru.sg == "" {
			continue
		}
		targets := users[ru.sg]
		if ru.el.From == InternetID {
			for _, u := range targets {
				m.expose(u, ru)
			}
		}
		for _, src := range ru.sources {
			for _, a := range users[src] {
				if a.el.Kind != model.Component {
					continue
				}
				for _, b := range targets {
					// A function in a VPC receives no connections: it is invoked through the
					// Lambda API, whatever its security groups admit.
					if a == b || b.el.Kind != model.Component && b.el.Kind != model.Store ||
						b.typ == "aws_lambda_function" || linked[[2]string{a.el.ID, b.el.ID}] {
						continue
					}
					m.sgFlow(ru, a, b, seen)
				}
			}
		}
	}
}

// lbFor returns the load balancer whose listener (or listener rule) forwards to target
// group tg.
func (m *module) lbFor(tg *res) *res {
	if tg == nil {
		return nil
	}
	for _, ref := range m.refBy[tg.addr] {
		l := ref.r
		switch {
		case (l.typ == "aws_lb_listener" || l.typ == "aws_alb_listener") && strings.HasPrefix(ref.path, "default_action."):
		case (l.typ == "aws_lb_listener_rule" || l.typ == "aws_alb_listener_rule") && strings.HasPrefix(ref.path, "action."):
			l = m.target(m.attr(l.b, "listener_arn"), "aws_lb_listener", "aws_alb_listener")
			if l == nil {
				continue
			}
		default:
			continue
		}
		if lb := m.target(m.attr(l.b, "load_balancer_arn"), "aws_lb", "aws_alb"); lb != nil && lb.el != nil {
			return lb
		}
	}
	return nil
}

var targetGroups = []string{"aws_lb_target_group", "aws_alb_target_group"}

// attachmentFlow makes an aws_lb_target_group_attachment the flow from the load balancer that
// forwards to the target group to the target.
func (m *module) attachmentFlow(r *res, linked map[[2]string]bool) {
	tg := m.target(m.attr(r.b, "target_group_arn"), targetGroups...)
	lb := m.lbFor(tg)
	fl := m.element(r, model.Flow, lbTech(lb))
	if lb != nil {
		fl.From = lb.el.ID
	}
	if addr, _, ok := m.refAddr(exprOf(m.attr(r.b, "target_id"))); ok {
		if t := m.resources[addr]; t.el != nil && (t.el.Kind == model.Component || t.el.Kind == model.Store) {
			fl.To = t.el.ID
		}
	}
	m.targetAttrs(fl, tg, m.attr(r.b, "port"))
	if fl.From != "" && fl.To != "" {
		linked[[2]string{fl.From, fl.To}] = true
	}
}

// serviceLBFlow makes a load_balancer block of an ECS service the flow from the load balancer
// to the service.
func (m *module) serviceLBFlow(r *res, b *Block, i int, linked map[[2]string]bool) {
	tg := m.target(m.attr(b, "target_group_arn"), targetGroups...)
	var lb *res
	if tg != nil {
		lb = m.lbFor(tg)
	} else if e := m.target(m.attr(b, "elb_name"), "aws_elb"); e != nil && e.el != nil {
		lb = e
	}
	fl := m.nested(r, b, i, model.Flow, lbTech(lb))
	fl.To = r.el.ID
	if lb != nil {
		fl.From = lb.el.ID
		linked[[2]string{fl.From, fl.To}] = true
	}
	m.targetAttrs(fl, tg, m.attr(b, "container_port"))
}

func lbTech(lb *res) string {
	if lb != nil {
		if t, ok := lb.el.Attrs.At("technology").Value.(string); ok {
			return t
		}
	}
	return "alb"
}

// targetAttrs records a target flow's protocol and tls (from the target group) and port
// (port, or else the target group's).
func (m *module) targetAttrs(fl *model.Element, tg *res, port *Attribute) {
	if tg != nil {
		if a := m.attr(tg.b, "protocol"); a != nil {
			if v := m.setAttr(fl, "protocol", a, tString); v != nil {
				p := strings.ToLower(v.(string))
				at := fl.Attrs.At("protocol")
				at.Value = p
				fl.Attrs.Set("protocol", at)
				fl.SetNote("tls", p == "https" || p == "tls", a.Span, "")
			} else {
				fl.SetUnknown("tls", a.Span, fl.Attrs.At("protocol").Note)
			}
		}
		if port == nil {
			port = m.attr(tg.b, "port")
		}
	}
	if port != nil {
		m.setAttr(fl, "port", port, tInt)
	}
}

// expose applies an ingress rule from the internet to u, a member of the rule's group: a
// component with a public IP (or, when that is not known, in a public subnet) becomes
// internet-facing.
func (m *module) expose(u *res, ru *rule) {
	n, el := u.net, u.el
	if !n.exposable || n.exposed || el.Kind != model.Component {
		return
	}
	at := ru.el.Attrs.At("source_cidrs").Span
	if at.IsZero() {
		at = ru.el.Head
	}
	admits := fmt.Sprintf("%s admits the internet", ru.el.Name)
	pub := model.Attr{Origin: model.Unknown}
	if n.subnet != nil {
		pub = m.subnetPublic(n.subnet)
	}
	switch {
	case n.publicIP.Origin != model.Unknown && n.publicIP.Value == true:
		el.SetNote("internet_facing", true, at, admits+" and it has a public IP")
	case n.publicIP.Origin != model.Unknown:
		return // a private address is not reachable from the internet
	case pub.Origin != model.Unknown && pub.Value == true:
		el.SetNote("internet_facing", true, at, admits+" and it sits in the public subnet "+n.subnet.addr)
	case pub.Origin != model.Unknown:
		return
	default:
		if cur := el.Attrs.At("internet_facing"); cur.Value == true {
			return
		}
		el.SetUnknown("internet_facing", at, admits+", but whether it has a public IP is not known")
	}
	n.exposed = true
}

// portProtocols names the protocol usually spoken on a port.
var portProtocols = map[int64]string{
	22: "ssh", 25: "smtp", 80: "http", 443: "https", 587: "smtp", 1433: "mssql", 1521: "oracle",
	3306: "mysql", 5432: "postgres", 5672: "amqp", 6379: "redis", 8080: "http", 8443: "https",
	9092: "kafka", 11211: "memcached", 27017: "mongodb",
}

// storeProtocol names the protocol a store of the module speaks, or "".
func storeProtocol(r *res) string {
	switch t, _ := r.el.Attrs.At("technology").Value.(string); t {
	case "redis", "memcached":
		return t
	case "valkey":
		return "redis"
	}
	e, _ := r.el.Attrs.At("engine").Value.(string)
	switch {
	case strings.Contains(e, "postgres"):
		return "postgres"
	case strings.Contains(e, "mysql"), e == "aurora", e == "mariadb":
		return "mysql"
	case strings.HasPrefix(e, "sqlserver"):
		return "mssql"
	case strings.HasPrefix(e, "oracle"):
		return "oracle"
	}
	return ""
}

// sgFlow creates the flow rule ru admits from a member of its source group to a member of
// its group. Its name is "FROM->TO", with an index when several rules admit the pair.
func (m *module) sgFlow(ru *rule, from, to *res, seen map[string]bool) {
	fp, tp := ru.el.Attrs.At("from_port"), ru.el.Attrs.At("to_port")
	key := fmt.Sprintf("%s %s %v-%v", from.el.ID, to.el.ID, fp.Value, tp.Value)
	if seen[key] {
		return
	}
	seen[key] = true
	name := from.addr + "->" + to.addr
	for i := 1; m.flowNames[name]; i++ {
		name = fmt.Sprintf("%s->%s[%d]", from.addr, to.addr, i)
	}
	m.flowNames[name] = true
	fl := &model.Element{ID: m.id(name), Kind: model.Flow, Type: "sg_flow", Name: name,
		Span: ru.el.Span, Head: ru.el.Head, From: from.el.ID, To: to.el.ID, Parent: ru.el.ID}
	fl.Set("technology", "security-group", ru.el.Head)
	fl.Set("in_scope", true, ru.el.Head)
	fl.Set("cloud", "aws", ru.el.Head)
	proto, protoAt, note := "", ru.el.Head, ""
	if p, ok := fp.Value.(int64); ok && fp.Origin == model.Read && tp.Origin == model.Read && tp.Value == p {
		fl.Attrs.Set("port", model.Attr{Value: p, Origin: model.Read, Span: fp.Span, Note: fp.Note})
		proto, protoAt, note = portProtocols[p], fp.Span, fmt.Sprintf("port %d", p)
	}
	if proto == "" {
		if proto = storeProtocol(to); proto != "" {
			note = "what " + to.addr + " speaks"
		}
	}
	if pa := ru.el.Attrs.At("protocol"); proto == "" && pa.Origin == model.Read {
		proto, protoAt, note = pa.Value.(string), pa.Span, ""
	}
	if proto != "" {
		fl.SetNote("protocol", proto, protoAt, note)
	}
	if t := to.net.tls; t.Origin != 0 {
		fl.Attrs.Set("tls", t)
	} else {
		fl.SetUnknown("tls", ru.el.Head, to.addr+" does not enforce TLS: whether clients use it is not known")
	}
	if a := to.net.auth; a.Origin != 0 {
		fl.Attrs.Set("authenticated", a)
	} else {
		fl.SetUnknown("authenticated", ru.el.Head, "whether "+from.addr+" authenticates to "+to.addr+" is not known")
	}
	m.out = append(m.out, fl)
}

// --- names ---

// names gives a component, a store, a VPC or a subnet the aliases other formats may know it
// by (its label, its literal name arguments and its Name tag) and records its tags: a
// diagram's "private subnet" meets aws_subnet.private.
func (m *module) names(r *res) {
	el := r.el
	add := func(s string) {
		if a := model.NameAlias(s); a != "" && !slices.Contains(el.Aliases, a) {
			el.Aliases = append(el.Aliases, a)
		}
	}
	if !genericLabels[r.name] {
		add(r.name)
	}
	for _, arg := range nameArgs {
		if s := m.str(r.b, arg); s != "" {
			add(s)
		}
	}
	a := m.attr(r.b, "tags")
	if a == nil {
		return
	}
	v, via := m.resolve(a.Expr)
	switch t := v.(type) {
	case nil:
	case map[string]any:
		if !known(t) {
			el.SetUnknown("tags", a.Span, unknownNote(t))
			return
		}
		note := ""
		if via != "" {
			note = "from " + via
		}
		el.SetNote("tags", t, a.Span, note)
		if name, ok := t["Name"].(string); ok {
			add(name)
		}
	default:
		note := unknownNote(t)
		if note == "" {
			note = "tags is not a map"
		}
		el.SetUnknown("tags", a.Span, note)
	}
}
