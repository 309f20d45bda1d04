package report

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/model"
)

// ThreagileVersion is the threagile_version Threagile writes.
const ThreagileVersion = "1.0.0"

// Threagile writes the system model as a Threagile model (YAML), valid against Threagile's
// schema:
//
//   - title: the system's name (opts.Name); no date (Threagile then dates its report the day
//     it runs), so that the output is deterministic; author threatls; business_criticality
//     from the most sensitive classification (pci or secret: critical; pii or confidential:
//     important; otherwise operational).
//   - data_assets: the data assets (see dataAssets): confidentiality public, internal,
//     confidential, confidential tagged pii, strictly-confidential tagged pci, or
//     strictly-confidential for secrets; integrity and availability operational, quantity
//     many (the code does not tell).
//   - technical_assets, titled by the element's name (made unique with " (2)"), ID its slug:
//     components are processes, stores datastores and actors external entities. technology
//     from the model's technology or store category (unknown-technology when nothing
//     matches; the model's technology is kept as a tag); internet when internet_facing,
//     reached by a flow from the internet or in the internet's zone; machine from the
//     platform (physical for actors); encryption transparent for a store encrypted at rest;
//     confidentiality from the classification; out_of_scope when in_scope is false;
//     data_assets_stored (stores) or data_assets_processed (components and actors); and
//     communication_links: the flows out of the asset to another asset, titled by the
//     flow's name, with the protocol mapped onto Threagile's (https, sql-access-protocol-
//     encrypted, …), authentication credentials or none (Threagile has no "unknown"; the
//     description says when it is not known) and data_assets_sent.
//   - trust_boundaries: the zones but the internet's, with the assets inside them and the
//     boundaries nested in them; type network-cloud-security-group for security groups and
//     segmented zones, network-policy-namespace-isolation for segmented Kubernetes
//     namespaces, network-cloud-provider for other cloud zones, else network-virtual-lan.
//
// A flow into or out of a zone itself, or to an end the graph does not have, has no
// Threagile counterpart (links join assets) and is left out, as are controls and paths.
func Threagile(w io.Writer, g *model.Graph, opts ModelOptions) error {
	s := newSystem(g)
	assets, held := dataAssets(s)
	tags := map[string]bool{}
	doc := tgModel{
		ThreagileVersion: ThreagileVersion, Title: opts.name(), Author: tgAuthor{Name: "threatls"},
		BusinessCriticality: criticality(maxClass(s)),
		DataAssets:          map[string]tgDataAsset{}, TechnicalAssets: map[string]*tgTechnicalAsset{},
		TrustBoundaries: map[string]tgTrustBoundary{}, SharedRuntimes: map[string]any{},
	}
	for _, a := range assets {
		conf, tag := tgConfidentiality(a.Class)
		da := tgDataAsset{ID: a.ID, Description: "Data classified " + a.Class, Usage: "business",
			Tags: []string{}, Quantity: "many", Confidentiality: conf, Integrity: "operational",
			Availability: "operational", Justification: "classification " + a.Class}
		if tag != "" {
			da.Tags = append(da.Tags, tag)
			tags[tag] = true
		}
		doc.DataAssets[a.Name] = da
	}
	// IDs are unique across data assets, technical assets and trust boundaries; titles
	// within each section. Both are handed out in the graph's order.
	ids, titles := unique{}, unique{}
	for _, a := range assets {
		ids[a.ID] = true
	}
	idOf := map[string]string{}
	titleOf := map[string]string{}
	for _, n := range s.nodes {
		base := slug(n.Name)
		if base == "" {
			base = string(n.Kind)
		}
		idOf[n.ID] = ids.take(base, "-")
		name := strings.TrimSpace(n.Name)
		if name == "" {
			name = idOf[n.ID]
		}
		titleOf[n.ID] = titles.title(name)
	}
	for _, n := range s.nodes {
		ta := &tgTechnicalAsset{ID: idOf[n.ID], Description: describe(n) + ", " + n.ID, Type: tgType(n.Kind),
			Usage: "business", Size: "service", Technology: tgTechnology(n), Tags: []string{},
			Machine: tgMachine(n), Encryption: "none", Owner: strAttr(n, "owner"),
			Confidentiality: "internal", Integrity: "operational", Availability: "operational",
			DataAssetsProcessed: []string{}, DataAssetsStored: []string{}, DataFormatsAccepted: []string{},
			CommunicationLinks: map[string]tgLink{}}
		if n.Kind == model.Actor {
			ta.Size, ta.Machine = "system", "physical"
			ta.UsedAsClientByHuman = strAttr(n, "technology") == "browser"
		}
		if !inScope(n) {
			ta.OutOfScope = true
			ta.JustificationOutOfScope = "outside the system under review (in_scope is false)"
		}
		if t := strAttr(n, "technology"); t != "" {
			ta.Tags = append(ta.Tags, t)
			tags[t] = true
		}
		ta.Internet, _ = boolAttr(n, "internet_facing")
		for _, f := range g.Inbound(n.ID) {
			ta.Internet = ta.Internet || f.From == model.Internet
		}
		ta.Internet = ta.Internet || n.ID == model.Internet || s.zoneOf[n.ID] == model.InternetZone
		if enc, _ := boolAttr(n, "encrypted_at_rest"); enc && n.Kind == model.Store {
			ta.Encryption = "transparent"
		}
		if c := strAttr(n, "classification"); model.ClassRank(c) >= 0 {
			ta.Confidentiality, _ = tgConfidentiality(c)
		}
		if n.Kind == model.Store {
			ta.DataAssetsStored = nonNil(held[n.ID])
		} else {
			ta.DataAssetsProcessed = nonNil(held[n.ID])
		}
		links := unique{}
		for _, f := range g.Outbound(n.ID) {
			to := idOf[f.To]
			if to == "" {
				continue // into a zone, or to an end the graph does not have
			}
			title := strings.TrimSpace(f.Name)
			if slug(title) == "" {
				title = "flow to " + titleOf[f.To]
			}
			// Threagile identifies a link by its title's slug: keep those unique.
			for base, k := title, 2; links[slug(title)]; k++ {
				title = fmt.Sprintf("%s (%d)", base, k)
			}
			links[slug(title)] = true
			l := tgLink{Target: to, Description: tgLinkDescription(f), Protocol: tgProtocol(f),
				Authentication: "none", Authorization: "none", Usage: "business", Tags: []string{},
				DataAssetsSent: nonNil(held[f.ID]), DataAssetsReceived: []string{}}
			if auth, _ := boolAttr(f, "authenticated"); auth {
				l.Authentication = "credentials"
			}
			if a := strAttr(f, "authorization"); a == "technical-user" || a == "end-user-identity-propagation" {
				l.Authorization = a
			}
			ta.CommunicationLinks[title] = l
		}
		doc.TechnicalAssets[titleOf[n.ID]] = ta
	}
	// Trust boundaries: every zone but the internet's. A boundary nested in the internet zone
	// stands at the top level.
	zidOf := map[string]string{}
	ztitles := unique{}
	for _, z := range s.zones {
		if z.ID == model.InternetZone {
			continue
		}
		base := slug(z.Name)
		if base == "" {
			base = "zone"
		}
		zidOf[z.ID] = ids.take(base, "-")
	}
	for _, z := range s.zones {
		id := zidOf[z.ID]
		if id == "" {
			continue
		}
		tb := tgTrustBoundary{ID: id, Description: zoneLabel(z) + ", " + z.ID, Type: tgBoundaryType(z),
			Tags: []string{}, TechnicalAssetsInside: []string{}, TrustBoundariesNested: []string{}}
		for _, n := range s.inside[z.ID] {
			tb.TechnicalAssetsInside = append(tb.TechnicalAssetsInside, idOf[n.ID])
		}
		for _, c := range s.children[z.ID] {
			tb.TrustBoundariesNested = append(tb.TrustBoundariesNested, zidOf[c.ID])
		}
		doc.TrustBoundaries[ztitles.title(z.Name)] = tb
	}
	for t := range tags {
		doc.TagsAvailable = append(doc.TagsAvailable, t)
	}
	sort.Strings(doc.TagsAvailable)
	if doc.TagsAvailable == nil {
		doc.TagsAvailable = []string{}
	}
	doc.RiskTracking = tgRiskTracking(g, opts.Findings, idOf)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("threagile model: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("threagile model: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func criticality(class string) string {
	switch model.ClassRank(class) {
	case 4:
		return "critical"
	case 2, 3:
		return "important"
	}
	return "operational"
}

// tgConfidentiality maps a classification onto Threagile's confidentiality and the tag that
// keeps what Threagile cannot say (pii, pci).
func tgConfidentiality(class string) (conf, tag string) {
	switch class {
	case "public", "internal", "confidential":
		return class, ""
	case "pii":
		return "confidential", "pii"
	case "pci":
		return "strictly-confidential", "pci"
	case "secret":
		return "strictly-confidential", ""
	}
	return "internal", ""
}

func tgType(k model.Kind) string {
	switch k {
	case model.Store:
		return "datastore"
	case model.Actor:
		return "external-entity"
	}
	return "process"
}

// Threagile technologies of store categories and of the model's technologies.
var (
	tgCategories = map[string]string{
		"database": "database", "cache": "database", "queue": "message-queue", "bucket": "data-lake",
		"secrets": "vault", "volume": "block-storage", "search": "search-index", "file": "file-server",
	}
	tgTechnologies = map[string]string{
		"postgres": "database", "mysql": "database", "mariadb": "database", "mongodb": "database",
		"redis": "database", "memcached": "database", "rds": "database", "dynamodb": "database",
		"s3": "data-lake", "ebs": "block-storage", "efs": "file-server", "kms": "vault", "vault": "vault",
		"rabbitmq": "message-queue", "kafka": "message-queue", "sqs": "message-queue", "sns": "message-queue",
		"elasticsearch": "search-engine", "opensearch": "search-engine",
		"nginx": "web-server", "apache": "web-server", "httpd": "web-server", "caddy": "web-server",
		"traefik": "reverse-proxy", "envoy": "reverse-proxy", "haproxy": "reverse-proxy",
		"alb": "load-balancer", "nlb": "load-balancer", "elb": "load-balancer", "gwlb": "load-balancer",
		"api-gateway": "gateway", "lambda": "function", "browser": "browser", "waf": "waf",
		"keycloak": "identity-provider", "internet": "client-system",
	}
)

func tgTechnology(n *model.Element) string {
	if n.Kind == model.Store {
		if t := tgCategories[strAttr(n, "category")]; t != "" {
			return t
		}
	}
	if t := tgTechnologies[strings.ToLower(strAttr(n, "technology"))]; t != "" {
		return t
	}
	if n.ID == model.Internet {
		return "client-system"
	}
	return "unknown-technology"
}

func tgMachine(n *model.Element) string {
	tech, platform := strAttr(n, "technology"), strAttr(n, "platform")
	switch {
	case tech == "lambda" || platform == "lambda" || tech == "s3" || tech == "api-gateway":
		return "serverless"
	case platform == "kubernetes" || platform == "compose" || platform == "ecs" ||
		tech == "container" || tech == "ecs" || tech == "eks":
		return "container"
	}
	return "virtual"
}

// tgProtocol maps a flow's protocol and TLS onto Threagile's protocols.
func tgProtocol(f *model.Element) string {
	proto := strings.ToLower(strAttr(f, "protocol"))
	tls, _ := boolAttr(f, "tls")
	pick := func(plain, encrypted string) string {
		if tls {
			return encrypted
		}
		return plain
	}
	switch proto {
	case "":
		return pick("unknown-protocol", "binary-encrypted")
	case "http", "https":
		return pick(proto, "https")
	case "ws", "wss":
		return pick(proto, "wss")
	case "postgres", "postgresql", "mysql", "mariadb", "mssql", "sql":
		return pick("sql-access-protocol", "sql-access-protocol-encrypted")
	case "jdbc", "odbc", "smtp", "pop3", "imap", "smb", "iiop", "jrmp":
		return pick(proto, proto+"-encrypted")
	case "redis", "rediss", "mongodb", "memcached", "cassandra", "dynamodb", "nosql":
		return pick("nosql-access-protocol", "nosql-access-protocol-encrypted")
	case "ftp", "ftps":
		return pick("ftp", "ftps")
	case "ldap", "ldaps":
		return pick("ldap", "ldaps")
	case "ssh", "sftp", "scp", "mqtt", "nfs", "nrpe", "xmpp", "jms":
		return proto
	}
	return pick("binary", "binary-encrypted")
}

func tgLinkDescription(f *model.Element) string {
	d := flowLabel(f)
	if _, ok := boolAttr(f, "authenticated"); !ok {
		d = strings.TrimSpace(d + " authentication unknown")
	}
	if d == "" {
		return f.ID
	}
	return d + ", " + f.ID
}

func tgBoundaryType(z *model.Element) string {
	seg, _ := boolAttr(z, "segmented")
	kube := model.Format(z.ID) == "kubernetes" || strings.HasPrefix(z.Type, "kubernetes")
	switch {
	case z.Type == "aws_security_group" || strAttr(z, "technology") == "security-group":
		return "network-cloud-security-group"
	case seg && kube:
		return "network-policy-namespace-isolation"
	case seg:
		return "network-cloud-security-group"
	case strings.HasPrefix(z.Type, "aws_") || strings.HasPrefix(z.Type, "azurerm_") || strings.HasPrefix(z.Type, "google_"):
		return "network-cloud-provider"
	}
	return "network-virtual-lan"
}

type tgModel struct {
	ThreagileVersion    string                       `yaml:"threagile_version"`
	Title               string                       `yaml:"title"`
	Author              tgAuthor                     `yaml:"author"`
	BusinessCriticality string                       `yaml:"business_criticality"`
	TagsAvailable       []string                     `yaml:"tags_available"`
	DataAssets          map[string]tgDataAsset       `yaml:"data_assets"`
	TechnicalAssets     map[string]*tgTechnicalAsset `yaml:"technical_assets"`
	TrustBoundaries     map[string]tgTrustBoundary   `yaml:"trust_boundaries"`
	SharedRuntimes      map[string]any               `yaml:"shared_runtimes"`
	RiskTracking        map[string]tgRisk            `yaml:"risk_tracking,omitempty"`
}

// tgRisk is a risk_tracking entry: the register's acceptance or declared mitigation of a
// threat on a technical asset, keyed "<threat ID>@<technical asset ID>".
type tgRisk struct {
	Status        string  `yaml:"status"`
	Justification string  `yaml:"justification"`
	Ticket        *string `yaml:"ticket"`
	Date          *string `yaml:"date"` // the register's until:, null without one
	CheckedBy     string  `yaml:"checked_by"`
}

// tgRiskTracking writes back what the risk register (any of its sources) and inline
// acceptances say of findings on technical assets: an attack path's at its entry. Inline
// acceptances carry no owner; their checked_by is "threatls:ignore".
func tgRiskTracking(g *model.Graph, findings []model.Finding, idOf map[string]string) map[string]tgRisk {
	out := map[string]tgRisk{}
	for _, f := range findings {
		t, status := f.Suppressed, "accepted"
		if t == nil {
			t, status = f.Mitigated, "mitigated"
		}
		if t == nil || model.IsMeta(f.ThreatID) {
			continue
		}
		id := f.Element
		if el := g.Element(id); el != nil && el.Kind == model.Path {
			id = el.From
		}
		asset := idOf[id]
		if asset == "" {
			continue
		}
		r := tgRisk{Status: status, Justification: t.Reason, CheckedBy: ownerOf(t)}
		if t.Ticket != "" {
			r.Ticket = &t.Ticket
		}
		if t.Until != "" {
			r.Date = &t.Until
		}
		out[f.ThreatID+"@"+asset] = r
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

type tgAuthor struct {
	Name string `yaml:"name"`
}

type tgDataAsset struct {
	ID              string   `yaml:"id"`
	Description     string   `yaml:"description"`
	Usage           string   `yaml:"usage"`
	Tags            []string `yaml:"tags"`
	Quantity        string   `yaml:"quantity"`
	Confidentiality string   `yaml:"confidentiality"`
	Integrity       string   `yaml:"integrity"`
	Availability    string   `yaml:"availability"`
	Justification   string   `yaml:"justification_cia_rating"`
}

type tgTechnicalAsset struct {
	ID                      string            `yaml:"id"`
	Description             string            `yaml:"description"`
	Type                    string            `yaml:"type"`
	Usage                   string            `yaml:"usage"`
	UsedAsClientByHuman     bool              `yaml:"used_as_client_by_human"`
	OutOfScope              bool              `yaml:"out_of_scope"`
	JustificationOutOfScope string            `yaml:"justification_out_of_scope,omitempty"`
	Size                    string            `yaml:"size"`
	Technology              string            `yaml:"technology"`
	Tags                    []string          `yaml:"tags"`
	Internet                bool              `yaml:"internet"`
	Machine                 string            `yaml:"machine"`
	Encryption              string            `yaml:"encryption"`
	Owner                   string            `yaml:"owner"`
	Confidentiality         string            `yaml:"confidentiality"`
	Integrity               string            `yaml:"integrity"`
	Availability            string            `yaml:"availability"`
	MultiTenant             bool              `yaml:"multi_tenant"`
	Redundant               bool              `yaml:"redundant"`
	CustomDevelopedParts    bool              `yaml:"custom_developed_parts"`
	DataAssetsProcessed     []string          `yaml:"data_assets_processed"`
	DataAssetsStored        []string          `yaml:"data_assets_stored"`
	DataFormatsAccepted     []string          `yaml:"data_formats_accepted"`
	CommunicationLinks      map[string]tgLink `yaml:"communication_links"`
}

type tgLink struct {
	Target             string   `yaml:"target"`
	Description        string   `yaml:"description"`
	Protocol           string   `yaml:"protocol"`
	Authentication     string   `yaml:"authentication"`
	Authorization      string   `yaml:"authorization"`
	Tags               []string `yaml:"tags"`
	VPN                bool     `yaml:"vpn"`
	IPFiltered         bool     `yaml:"ip_filtered"`
	Readonly           bool     `yaml:"readonly"`
	Usage              string   `yaml:"usage"`
	DataAssetsSent     []string `yaml:"data_assets_sent"`
	DataAssetsReceived []string `yaml:"data_assets_received"`
}

type tgTrustBoundary struct {
	ID                    string   `yaml:"id"`
	Description           string   `yaml:"description"`
	Type                  string   `yaml:"type"`
	Tags                  []string `yaml:"tags"`
	TechnicalAssetsInside []string `yaml:"technical_assets_inside"`
	TrustBoundariesNested []string `yaml:"trust_boundaries_nested"`
}
