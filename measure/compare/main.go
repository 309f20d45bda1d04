// Command compare reads the JSON reports of threatls, tfsec, KICS and kube-score on the same
// corpus and prints, per provider and category, the resources each tool flags that the
// others do not (measure/README.md). It is measurement tooling, never run in CI.
//
// Usage: go run ./measure/compare -root CORPUS -threatls T.json -tfsec F.json -kics K.json -kube-score S.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// finding is a tool's finding reduced to what can be compared across tools.
type finding struct {
	tool, provider, category, file, resource, rule string
}

// blocks caches, per file, the resource that encloses each line: a Terraform block's
// TYPE.NAME, or a CloudFormation resource's logical ID.
var blocks = map[string][]string{}

var (
	tfBlock  = regexp.MustCompile(`^(?:resource|data)\s+"([^"]+)"\s+"([^"]+)"`)
	cfnBlock = regexp.MustCompile(`^  ([A-Za-z0-9]+):\s*(#.*)?$`)
)

// enclosing returns the resource that encloses line (1-based) of file under root, or "".
func enclosing(root, file string, line int) string {
	ls, ok := blocks[file]
	if !ok {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err == nil {
			cur := ""
			for _, l := range strings.Split(string(b), "\n") {
				if m := tfBlock.FindStringSubmatch(l); m != nil {
					cur = m[1] + "." + m[2]
				} else if m := cfnBlock.FindStringSubmatch(l); m != nil && strings.Contains(file, "cfn/") {
					cur = m[1]
				}
				ls = append(ls, cur)
			}
		}
		blocks[file] = ls
	}
	if line >= 1 && line <= len(ls) {
		return ls[line-1]
	}
	return ""
}

func (f finding) key() string { return f.provider + "|" + f.category + "|" + f.file + "|" + f.resource }

func main() {
	root := flag.String("root", "", "the corpus directory the tools scanned")
	tl := flag.String("threatls", "", "threatls scan --format json")
	tf := flag.String("tfsec", "", "tfsec --format json")
	kc := flag.String("kics", "", "KICS results.json")
	ks := flag.String("kube-score", "", "kube-score score --output-format json")
	details := flag.Bool("details", false, "list the findings only one tool has")
	flag.Parse()
	var all []finding
	if *tl != "" {
		all = append(all, readThreatls(*tl, *root)...)
	}
	if *tf != "" {
		all = append(all, readTfsec(*tf, *root)...)
	}
	if *kc != "" {
		all = append(all, readKICS(*kc, *root)...)
	}
	if *ks != "" {
		all = append(all, readKubeScore(*ks, *root)...)
	}
	report(all, *details)
}

func load(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.Unmarshal(b, v); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		os.Exit(1)
	}
}

func rel(root, p string) string {
	if !filepath.IsAbs(p) {
		if _, err := os.Stat(filepath.Join(root, p)); err == nil {
			return filepath.ToSlash(p)
		}
		// KICS reports paths relative to where it ran: the corpus's parent in run.sh.
		p = filepath.Join(filepath.Dir(root), p)
	}
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

// resourceOf reduces a resource name to TYPE.NAME (or a logical ID): module paths, instance
// keys and nested blocks are dropped.
func resourceOf(s string) string {
	s = regexp.MustCompile(`\[[^\]]*\]`).ReplaceAllString(s, "")
	parts := strings.Split(s, ".")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "module" {
			continue
		}
		if i > 0 && parts[i-1] == "module" {
			continue
		}
		if strings.Contains(parts[i], "_") && i+1 < len(parts) {
			return parts[i] + "." + parts[i+1]
		}
	}
	return s
}

func providerOf(resource, file string) string {
	switch {
	case strings.HasPrefix(resource, "aws_"), strings.Contains(file, "cfn/"):
		return "aws"
	case strings.HasPrefix(resource, "azurerm_"):
		return "azure"
	case strings.HasPrefix(resource, "google_"):
		return "gcp"
	case strings.HasPrefix(file, "k8s/") || strings.Contains(file, "/k8s/"):
		return "kubernetes"
	}
	return "other"
}

// categories are matched on a rule's ID and title, in order.
var categories = []struct{ name, re string }{
	{"encryption", `encrypt.?secrets|at.?rest|customer.?key|cmk`},
	{"network", `database.?no.?public.?access|no.?public.?firewall`},
	{"public-access", `ubla|uniform`},
	{"secrets", `secret|sensitive|password|credential|hardcoded|plaintext.*(key|token)|user.?data|env.?var`},
	{"tls", `tls|https|ssl|protocol|cipher|in.?transit|transport|ftp`},
	{"logging", `log|trail|tracing|x.?ray|flow|monitor|audit`},
	{"identity", `auto.?rotate|rotation`},
	{"encryption", `encrypt|kms|cmk|customer.?(managed.)?key|sse|cmek|csek`},
	{"network", `cluster.?access|public.?ingress|public.?egress|no.?public.?ip|authorized.?ip|network.?acl|firewall|public.?network|public.?firewall`},
	{"public-access", `public|acl|anonymous|all.?users|block.?public|open.?to.?the.?world|blob`},
	{"logging", `log|trail|monitor|audit|tracing|x.?ray|flow|guardduty|config.?recorder|alert|insights|detector`},
	{"network", `ingress|egress|security.?group|firewall|network|cidr|nsg|port|ssh|rdp|0\.0\.0\.0|ip.?forward|authorized.?net|endpoint|private`},
	{"identity", `iam|polic|role|admin|rbac|abac|mfa|service.?account|user|permission|privilege|auth|identity|login|key.?rotation|rotation|access.?key`},
	{"resilience", `backup|retention|deletion|versioning|recovery|protect|replica|upgrade`},
}

// threatCategories are the categories of threatls's threats, by ID prefix.
var threatCategories = map[string]string{
	"CLOUD-ENC": "encryption", "CLOUD-KMS": "encryption", "AWS-S3-004": "encryption", "AWS-RDS-002": "encryption",
	"AWS-EBS": "encryption", "AWS-EFS": "encryption", "AWS-CT-004": "encryption", "CLOUD-K8S-002": "encryption",
	"AWS-SSM": "secrets", "SYS-SECRET": "secrets", "AZURE-KV": "secrets", "GCP-VM-005": "secrets", "AWS-IAM-005": "secrets", "GCP-IAM-002": "secrets",
	"CLOUD-PUB": "public-access", "AWS-S3-001": "public-access", "AWS-S3-002": "public-access", "AWS-S3-003": "public-access",
	"AWS-RDS-001": "public-access", "GCP-GCS": "public-access", "GCP-SQL-001": "public-access",
	"AWS-SG": "network", "CLOUD-NET-001": "network", "CLOUD-K8S-001": "network", "CLOUD-K8S-003": "network", "GCP-GKE-003": "network", "GCP-VM-003": "network",
	"CLOUD-LOG": "logging", "CLOUD-NET-002": "logging", "AWS-CT": "logging", "AWS-S3-006": "logging", "AWS-LAMBDA": "logging",
	"AWS-GD": "logging", "AWS-CFG": "logging", "GCP-AUD": "logging", "AZURE-MON": "logging", "AZURE-SEC": "logging", "GCP-SQL-002": "logging",
	"AWS-IAM": "identity", "AZURE-ACR": "identity", "AZURE-AKS": "identity", "GCP-GKE-001": "identity", "GCP-GKE-002": "identity",
	"GCP-GKE-004": "identity", "AZURE-APP-002": "identity", "AZURE-VM": "identity", "GCP-VM-002": "identity", "GCP-VM-006": "identity", "GCP-IAM": "identity",
	"CLOUD-TLS": "tls", "AWS-LB-001": "tls", "AZURE-APP-001": "tls",
	"CLOUD-BAK": "resilience", "CLOUD-DEL": "resilience", "AWS-RDS-003": "resilience", "AWS-RDS-004": "resilience", "AWS-S3-005": "resilience", "GCP-GKE-006": "resilience",
	"AWS-KMS": "identity",
}

func threatCategory(id, title string) string {
	best := ""
	for p := range threatCategories {
		if strings.HasPrefix(id, p) && len(p) > len(best) {
			best = p
		}
	}
	if best != "" {
		return threatCategories[best]
	}
	return category(id + " " + title)
}

func category(text string) string {
	t := strings.ToLower(text)
	for _, c := range categories {
		if regexp.MustCompile(c.re).MatchString(t) {
			return c.name
		}
	}
	return "hardening"
}

func readThreatls(path, root string) []finding {
	var r struct {
		Findings []struct {
			ThreatID    string `json:"threat_id"`
			Title       string `json:"title"`
			ElementName string `json:"element_name"`
			Span        struct {
				File  string `json:"file"`
				Start struct {
					Line int `json:"line"`
				} `json:"start"`
			} `json:"span"`
		} `json:"findings"`
	}
	load(path, &r)
	var out []finding
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ThreatID, "TLS-") {
			continue // meta findings
		}
		file := rel(root, f.Span.File)
		res := resourceOf(f.ElementName)
		if e := enclosing(root, file, f.Span.Start.Line+1); e != "" {
			res = e
		}
		out = append(out, finding{"threatls", providerOf(res, file), threatCategory(f.ThreatID, f.Title), file, res, f.ThreatID})
	}
	return out
}

func readTfsec(path, root string) []finding {
	var r struct {
		Results []struct {
			LongID      string `json:"long_id"`
			Description string `json:"rule_description"`
			Resource    string `json:"resource"`
			Location    struct {
				Filename  string `json:"filename"`
				StartLine int    `json:"start_line"`
			} `json:"location"`
		} `json:"results"`
	}
	load(path, &r)
	var out []finding
	for _, f := range r.Results {
		file := rel(root, f.Location.Filename)
		res := resourceOf(f.Resource)
		if e := enclosing(root, file, f.Location.StartLine); e != "" {
			res = e
		}
		out = append(out, finding{"tfsec", providerOf(res, file), category(f.LongID + " " + f.Description), file, res, f.LongID})
	}
	return out
}

func readKICS(path, root string) []finding {
	var r struct {
		Queries []struct {
			Name     string `json:"query_name"`
			Category string `json:"category"`
			Severity string `json:"severity"`
			Files    []struct {
				File         string `json:"file_name"`
				Line         int    `json:"line"`
				ResourceType string `json:"resource_type"`
				ResourceName string `json:"resource_name"`
				SearchKey    string `json:"search_key"`
			} `json:"files"`
		} `json:"queries"`
	}
	load(path, &r)
	var out []finding
	for _, q := range r.Queries {
		if strings.EqualFold(q.Severity, "TRACE") || strings.EqualFold(q.Severity, "INFO") {
			continue
		}
		for _, f := range q.Files {
			file := rel(root, f.File)
			res := f.ResourceType + "." + f.ResourceName
			if m := regexp.MustCompile(`^(?:resource|Resources)[.\[]{1}([A-Za-z0-9_]+)[\].]?[.\[]?([A-Za-z0-9_-]+)`).FindStringSubmatch(f.SearchKey); m != nil {
				if strings.HasPrefix(m[1], "aws_") || strings.HasPrefix(m[1], "azurerm_") || strings.HasPrefix(m[1], "google_") {
					res = m[1] + "." + m[2]
				} else {
					res = m[1]
				}
			}
			if strings.HasSuffix(file, ".yaml") && strings.Contains(file, "cfn/") {
				if m := regexp.MustCompile(`^Resources\.([A-Za-z0-9]+)`).FindStringSubmatch(f.SearchKey); m != nil {
					res = m[1]
				}
			}
			if e := enclosing(root, file, f.Line); e != "" {
				res = e
			}
			out = append(out, finding{"kics", providerOf(res, file), category(q.Name + " " + q.Category), file, res, q.Name})
		}
	}
	return out
}

func readKubeScore(path, root string) []finding {
	var r []struct {
		ObjectName string `json:"object_name"`
		FileName   string `json:"file_name"`
		TypeMeta   struct {
			Kind string `json:"kind"`
		} `json:"type_meta"`
		Checks []struct {
			Check struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"check"`
			Grade int  `json:"grade"`
			Skip  bool `json:"skipped"`
		} `json:"checks"`
	}
	load(path, &r)
	var out []finding
	for _, o := range r {
		for _, c := range o.Checks {
			if c.Skip || c.Grade >= 10 {
				continue
			}
			file := rel(root, o.FileName)
			name := o.ObjectName
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			out = append(out, finding{"kube-score", "kubernetes", category(c.Check.ID + " " + c.Check.Name), file, o.TypeMeta.Kind + "/" + name, c.Check.ID})
		}
	}
	return out
}

func report(all []finding, details bool) {
	tools := map[string]bool{}
	byKey := map[string]map[string][]finding{} // key → tool → findings
	for _, f := range all {
		tools[f.tool] = true
		if byKey[f.key()] == nil {
			byKey[f.key()] = map[string][]finding{}
		}
		byKey[f.key()][f.tool] = append(byKey[f.key()][f.tool], f)
	}
	names := make([]string, 0, len(tools))
	for t := range tools {
		names = append(names, t)
	}
	sort.Strings(names)
	counts := map[string]int{}
	for _, f := range all {
		counts[f.tool]++
	}
	fmt.Print("## Findings per tool\n\n")
	for _, t := range names {
		fmt.Printf("- %s: %d findings\n", t, counts[t])
	}
	// Per provider and category: resources flagged by threatls only, by both, by a peer only.
	type cell struct{ only, both, peerOnly int }
	rows := map[string]map[string]*cell{} // provider|category → peer → cell
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var peerOnly, ownOnly []string
	for _, k := range keys {
		parts := strings.SplitN(k, "|", 3)
		pc := parts[0] + "|" + parts[1]
		if rows[pc] == nil {
			rows[pc] = map[string]*cell{}
		}
		tl := len(byKey[k]["threatls"]) > 0
		for _, p := range names {
			if p == "threatls" {
				continue
			}
			if rows[pc][p] == nil {
				rows[pc][p] = &cell{}
			}
			peer := len(byKey[k][p]) > 0
			switch {
			case tl && peer:
				rows[pc][p].both++
			case tl:
				rows[pc][p].only++
			case peer:
				rows[pc][p].peerOnly++
				peerOnly = append(peerOnly, fmt.Sprintf("%s only: %s %s (%s)", p, strings.ReplaceAll(k, "|", " "), rules(byKey[k][p]), ""))
			}
		}
		if tl && len(byKey[k]) == 1 {
			ownOnly = append(ownOnly, fmt.Sprintf("threatls only: %s %s", strings.ReplaceAll(k, "|", " "), rules(byKey[k]["threatls"])))
		}
	}
	fmt.Print("\n## Resources flagged, per provider and category\n\n")
	fmt.Print("Each cell: threatls only / both / the peer only, counting (resource, category) pairs.\n\n")
	head := "| provider | category |"
	sep := "| --- | --- |"
	for _, p := range names {
		if p != "threatls" {
			head += " vs " + p + " |"
			sep += " --- |"
		}
	}
	fmt.Println(head)
	fmt.Println(sep)
	pcs := make([]string, 0, len(rows))
	for pc := range rows {
		pcs = append(pcs, pc)
	}
	sort.Strings(pcs)
	for _, pc := range pcs {
		line := "| " + strings.ReplaceAll(pc, "|", " | ") + " |"
		for _, p := range names {
			if p == "threatls" {
				continue
			}
			c := rows[pc][p]
			line += fmt.Sprintf(" %d / %d / %d |", c.only, c.both, c.peerOnly)
		}
		fmt.Println(line)
	}
	if details {
		fmt.Print("\n## Only one tool\n\n")
		for _, l := range append(peerOnly, ownOnly...) {
			fmt.Println("- " + l)
		}
	}
}

func rules(fs []finding) string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if !seen[f.rule] {
			seen[f.rule] = true
			out = append(out, f.rule)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
