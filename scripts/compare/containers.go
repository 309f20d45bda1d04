//go:build ignore

// Command containers compares what threatls, kube-score and KICS report on a corpus of
// Kubernetes manifests, Dockerfiles, Compose files and GitHub Actions workflows, by category:
// for each category, how many objects each tool flags and which objects one flags that
// another does not. It reads the three tools' JSON reports; scripts/compare-containers.sh runs
// them. Measurement only: never run in CI.
//
//	go run scripts/compare/containers.go -threatls t.json -kubescore k.json -kics results.json -prefix boutique/
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
)

// category maps each tool's check to what it is about. A check of no category is listed at
// the end, so that a new check of a tool is seen.
var (
	threatlsCat = map[string]string{
		"SYS-CONT-001": "privileged", "SYS-CONT-002": "root user", "SYS-CONT-003": "host network",
		"SYS-CONT-004": "docker socket", "SYS-CONT-005": "read-only root fs", "SYS-CONT-006": "image pinning",
		"SYS-CONT-007": "service-account token", "SYS-CONT-008": "resource limits", "SYS-CONT-009": "resource limits",
		"SYS-CONT-010": "remote ADD", "SYS-CONT-011": "host PID/IPC", "SYS-CONT-012": "capabilities",
		"SYS-CONT-013": "capabilities", "SYS-CONT-014": "privilege escalation", "SYS-CONT-015": "seccomp/AppArmor",
		"SYS-CONT-016": "seccomp/AppArmor", "SYS-CONT-017": "host path", "SYS-CONT-018": "probes/healthcheck",
		"SYS-CONT-019": "service-account token", "SYS-SECRET-001": "secret in env literal",
		"DOCKER-001": "curl | sh", "DOCKER-002": "sudo", "DOCKER-003": "SSH exposed", "DOCKER-004": "probes/healthcheck",
		"DOCKER-005": "apt recommends", "K8S-NET-001": "network policy", "K8S-NET-002": "exposure",
		"SYS-FLOW-004": "exposure", "SYS-FLOW-005": "plaintext from internet", "SYS-REACH-001": "exposure",
		"K8S-RBAC-001": "RBAC wildcard", "K8S-RBAC-002": "RBAC cluster-admin", "K8S-RBAC-003": "RBAC exec",
		"K8S-RBAC-004": "RBAC read secrets", "K8S-RBAC-005": "RBAC escalate", "K8S-RBAC-006": "RBAC everyone",
		"SYS-CI-001": "CI pwn request", "SYS-CI-002": "CI script injection", "SYS-CI-003": "CI unpinned action",
		"SYS-CI-004": "CI write token", "SYS-CI-005": "CI secrets exposed", "SYS-CI-006": "CI artifact poisoning",
		"SYS-CI-007": "CI env injection", "SYS-CI-008": "CI self-hosted runner", "SYS-CI-009": "CI secrets inherit",
		"SYS-CI-010": "CI persisted token", "SYS-CI-011": "CI OIDC",
	}
	kubeScoreCat = map[string]string{
		"container-security-context-privileged":                         "privileged",
		"container-security-context-user-group-id":                      "low uid/gid",
		"container-security-context-readonlyrootfilesystem":             "read-only root fs",
		"container-resources":                                           "resource limits",
		"container-image-tag":                                           "image pinning",
		"container-image-pull-policy":                                   "pull policy",
		"container-ephemeral-storage-request-and-limit":                 "ephemeral storage",
		"pod-networkpolicy":                                             "network policy",
		"pod-probes":                                                    "probes/healthcheck",
		"pod-probes-identical":                                          "probe hygiene",
		"service-type":                                                  "exposure",
		"deployment-has-poddisruptionbudget":                            "availability",
		"statefulset-has-poddisruptionbudget":                           "availability",
		"deployment-has-host-podantiaffinity":                           "availability",
		"statefulset-has-host-podantiaffinity":                          "availability",
		"deployment-replicas":                                           "availability",
		"deployment-targeted-by-hpa-does-not-have-replicas-configured":  "correctness",
		"deployment-pod-selector-labels-match-template-metadata-labels": "correctness",
		"statefulset-has-servicename":                                   "correctness",
		"cronjob-has-deadline":                                          "correctness",
		"stable-version":                                                "correctness",
	}
	kicsCat = map[string]string{
		"Container Is Privileged": "privileged", "Privileged Containers Enabled": "privileged",
		"Container Running As Root": "root user", "Missing User Instruction": "root user", "Last User Is 'root'": "root user",
		"Container Running With Low UID": "low uid/gid",
		"Shared Host Network Namespace":  "host network", "Shared Host PID Namespace": "host PID/IPC",
		"Shared Host IPC Namespace": "host PID/IPC", "Host Namespace is Shared": "host PID/IPC",
		"Docker Daemon Socket is Exposed to Containers": "docker socket", "Docker Socket Mounted In Container": "docker socket",
		"Root Container Not Mounted Read-only": "read-only root fs",
		"Image Without Digest":                 "image pinning", "Invalid Image Tag": "image pinning", "Image Version Using 'latest'": "image pinning",
		"Image Version Not Explicit":                   "image pinning",
		"Service Account Token Automount Not Disabled": "service-account token", "Service Account Name Undefined Or Empty": "service-account token",
		"Shared Service Account": "service-account token",
		"CPU Limits Not Set":     "resource limits", "Memory Limits Not Defined": "resource limits", "Cpus Not Limited": "resource limits",
		"Memory Not Limited": "resource limits", "CPU Requests Not Set": "resource requests", "Memory Requests Not Defined": "resource requests",
		"Containers With Added Capabilities": "capabilities", "Containers With Sys Admin Capabilities": "capabilities",
		"Container Capabilities Unrestricted": "capabilities (drop ALL)", "NET_RAW Capabilities Not Being Dropped": "capabilities (drop ALL)",
		"No Drop Capabilities for Containers": "capabilities (drop ALL)",
		"Privilege Escalation Allowed":        "privilege escalation", "No New Privileges Not Set": "privilege escalation",
		"Seccomp Profile Is Not Configured": "seccomp/AppArmor", "Missing AppArmor Profile": "seccomp/AppArmor",
		"Default Seccomp Profile Disabled": "seccomp/AppArmor", "Security Opt Not Set": "security_opt not set",
		"Non Kube System Pod With Host Mount": "host path", "Workload Mounting With Sensitive OS Directory": "host path",
		"Volume Mount With OS Directory Write Permissions": "host path", "Volume Has Sensitive Host Directory": "host path",
		"Readiness Probe Is Not Configured": "probes/healthcheck", "Liveness Probe Is Not Defined": "probes/healthcheck",
		"Healthcheck Instruction Missing": "probes/healthcheck", "Healthcheck Not Set": "probes/healthcheck",
		"Secrets As Environment Variables": "secret from Secret in env",
		"RBAC Wildcard In Rule":            "RBAC wildcard", "Cluster Admin Rolebinding With Superuser Permissions": "RBAC cluster-admin",
		"RBAC Roles with Exec Permission": "RBAC exec", "RBAC Roles with Attach Permission": "RBAC exec",
		"RBAC Roles with Read Secrets Permissions": "RBAC read secrets", "ServiceAccount Allows Access Secrets": "RBAC read secrets",
		"RBAC Roles Allow Privilege Escalation": "RBAC escalate", "RBAC Roles with Impersonate Permission": "RBAC escalate",
		"Permissive Access to Create Pods": "RBAC create pods", "RBAC Roles with Port-Forwarding Permission": "RBAC port-forward",
		"Service With External Load Balancer": "exposure", "Service Type is NodePort": "exposure",
		"Container Traffic Not Bound To Host Interface": "exposure", "Ingress Controller Exposes Workload": "exposure",
		"Using Unrecommended Namespace": "default namespace", "Pod or Container Without LimitRange": "namespace quotas",
		"Pod or Container Without ResourceQuota": "namespace quotas", "Pod or Container Without Security Context": "security context absent",
		"Image Pull Policy Of The Container Is Not Set To Always": "pull policy",
		"Run Using Sudo": "sudo", "Exposing Port 22 (SSH)": "SSH exposed", "APT-GET Not Avoiding Additional Packages": "apt recommends",
		"Add Instead of Copy": "remote ADD", "Run Block Injection": "CI script injection", "Script Block Injection": "CI script injection",
		"Unpinned Actions Full Length Commit SHA": "CI unpinned action",
	}
)

// finding is one object a tool flags in a category.
type finding struct{ tool, cat, key string }

func main() {
	tl := flag.String("threatls", "", "threatls scan --format json output")
	ks := flag.String("kubescore", "", "kube-score score --output-format json output")
	kc := flag.String("kics", "", "KICS results.json")
	prefix := flag.String("prefix", "", "prefix of KICS file names to strip (the corpus directory's name and a slash)")
	root := flag.String("root", "", "the corpus directory, absolute: stripped from kube-score's file names")
	examples := flag.Int("examples", 4, "examples listed per gap")
	flag.Parse()
	var all []finding
	var unmapped []string
	add := func(tool string, cats map[string]string, check, file, obj string) {
		c, ok := cats[check]
		if !ok {
			unmapped = append(unmapped, tool+": "+check)
			return
		}
		all = append(all, finding{tool, c, file + "#" + obj})
	}
	if *tl != "" {
		var r struct {
			Findings []struct {
				ThreatID    string `json:"threat_id"`
				Element     string `json:"element"`
				ElementName string `json:"element_name"`
				Span        struct {
					File string `json:"file"`
				} `json:"span"`
			} `json:"findings"`
		}
		read(*tl, &r)
		for _, f := range r.Findings {
			if strings.HasPrefix(f.ThreatID, "TLS-") {
				continue // meta findings: files that do not parse, suppressions
			}
			if _, ok := threatlsCat[f.ThreatID]; !ok {
				unmapped = append(unmapped, "threatls: "+f.ThreatID)
				continue
			}
			add("threatls", threatlsCat, f.ThreatID, f.Span.File, object(f.Element, f.ElementName, f.Span.File))
		}
	}
	if *ks != "" {
		var r []struct {
			FileName   string `json:"file_name"`
			ObjectName string `json:"object_name"`
			Checks     []struct {
				Check   struct{ ID string } `json:"check"`
				Grade   int                 `json:"grade"`
				Skipped bool                `json:"skipped"`
			} `json:"checks"`
		}
		read(*ks, &r)
		for _, o := range r {
			for _, c := range o.Checks {
				if c.Skipped || c.Grade >= 10 {
					continue
				}
				file := strings.TrimPrefix(strings.TrimPrefix(path.Clean(o.FileName), path.Clean(*root)+"/"), "./")
				add("kube-score", kubeScoreCat, c.Check.ID, file, o.ObjectName[strings.LastIndexByte(o.ObjectName, '/')+1:])
			}
		}
	}
	if *kc != "" {
		var r struct {
			Queries []struct {
				Name  string `json:"query_name"`
				Files []struct {
					FileName     string `json:"file_name"`
					ResourceName string `json:"resource_name"`
					SearchKey    string `json:"search_key"`
				} `json:"files"`
			} `json:"queries"`
		}
		read(*kc, &r)
		for _, q := range r.Queries {
			for _, f := range q.Files {
				obj := f.ResourceName
				if m := composeService.FindStringSubmatch(f.SearchKey); obj == "" && m != nil {
					obj = m[1]
				}
				add("kics", kicsCat, q.Name, strings.TrimPrefix(f.FileName, *prefix), obj)
			}
		}
	}
	report(all, unmapped, *examples)
}

var composeService = regexp.MustCompile(`^services\.([^.]+)`)

// object names the object a threatls finding is about as the other tools do: a Kubernetes
// object's name, a Compose service's name, nothing for a Dockerfile or a workflow (the file
// is the object). A flow is its target's.
func object(id, name, file string) string {
	base := path.Base(file)
	if strings.HasPrefix(base, "Dockerfile") || strings.HasSuffix(base, ".dockerfile") || strings.Contains(file, ".github/workflows/") {
		return ""
	}
	if i := strings.Index(name, "→ "); i >= 0 {
		name = name[i+len("→ "):]
		if j := strings.Index(name, " ("); j >= 0 {
			name = name[:j]
		}
	}
	if strings.HasPrefix(id, "compose:") {
		name, _, _ = strings.Cut(name, "/")
		return name
	}
	return name[strings.LastIndexByte(name, '/')+1:]
}

func read(file string, v any) {
	b, err := os.ReadFile(file)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
		os.Exit(1)
	}
}

// report prints, per category, the objects each tool flags and the differences.
func report(all []finding, unmapped []string, examples int) {
	tools := []string{"threatls", "kube-score", "kics"}
	sets := map[string]map[string]map[string]bool{} // cat → tool → keys
	for _, f := range all {
		if sets[f.cat] == nil {
			sets[f.cat] = map[string]map[string]bool{}
		}
		if sets[f.cat][f.tool] == nil {
			sets[f.cat][f.tool] = map[string]bool{}
		}
		sets[f.cat][f.tool][f.key] = true
	}
	cats := make([]string, 0, len(sets))
	for c := range sets {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	fmt.Printf("| category | threatls | kube-score | KICS | kube-score, not threatls | KICS, not threatls | threatls, neither |\n|---|---|---|---|---|---|---|\n")
	var details []string
	for _, c := range cats {
		s := sets[c]
		n := func(t string) string {
			if s[t] == nil {
				return "–"
			}
			return fmt.Sprint(len(s[t]))
		}
		ksOnly, kcOnly, tlOnly := minus(s["kube-score"], s["threatls"]), minus(s["kics"], s["threatls"]), minus(s["threatls"], s["kube-score"], s["kics"])
		fmt.Printf("| %s | %s | %s | %s | %d | %d | %d |\n", c, n(tools[0]), n(tools[1]), n(tools[2]), len(ksOnly), len(kcOnly), len(tlOnly))
		for _, d := range []struct {
			what string
			keys []string
		}{{"kube-score, not threatls", ksOnly}, {"KICS, not threatls", kcOnly}, {"threatls, neither", tlOnly}} {
			if len(d.keys) > 0 {
				details = append(details, fmt.Sprintf("- %s — %s: %s", c, d.what, strings.Join(first(d.keys, examples), ", ")))
			}
		}
	}
	fmt.Println("\nExamples of the differences (file#object):")
	for _, d := range details {
		fmt.Println(d)
	}
	if len(unmapped) > 0 {
		sort.Strings(unmapped)
		counts := map[string]int{}
		var keys []string
		for _, u := range unmapped {
			if counts[u] == 0 {
				keys = append(keys, u)
			}
			counts[u]++
		}
		fmt.Println("\nChecks of no category (not compared):")
		for _, k := range keys {
			fmt.Printf("- %s (%d)\n", k, counts[k])
		}
	}
}

// minus returns the keys of a that none of the others has, sorted.
func minus(a map[string]bool, others ...map[string]bool) []string {
	var out []string
outer:
	for k := range a {
		for _, o := range others {
			if o[k] {
				continue outer
			}
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func first(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("… %d more", len(xs)-n))
	}
	return xs
}
