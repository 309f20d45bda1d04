package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The scale corpus is half Terraform, half Kubernetes manifests, at any size (1,000, 5,000 and
// 20,000 files are measured). Each stack is the Terraform estate's (a root module and six
// child modules, 32 files) beside 32 manifests of its services in a namespace of their own:
// 16 services, a Deployment and a Service each, and a ConfigMap and a NetworkPolicy each,
// naming one another in their environments.

// Scale returns about files files: stacks of 32 Terraform files and 32 manifests.
// With oneNamespace every manifest is in the default namespace (the worst case of linking:
// one namespace of the whole workspace).
func Scale(files int, oneNamespace bool) []File {
	const corpusSeed = Seed
	stacks := max(1, files/64)
	out := Terraform(Spec{Seed: corpusSeed, Stacks: stacks})
	r := rand.New(rand.NewSource(corpusSeed + 2))
	seen := map[string]bool{}
	var dirs []string
	for _, f := range out {
		if parts := strings.SplitN(f.Path, "/", 3); len(parts) == 3 && !seen[parts[1]] {
			seen[parts[1]] = true
			dirs = append(dirs, parts[0]+"/"+parts[1])
		}
	}
	for _, dir := range dirs {
		ns := strings.ReplaceAll(strings.TrimPrefix(dir, "stacks/"), ".", "-")
		if oneNamespace {
			ns = "default"
		}
		out = append(out, scaleManifests(r, dir, ns)...)
	}
	return out
}

func scaleManifests(r *rand.Rand, dir, ns string) []File {
	const services = 16
	var out []File
	prefix := ""
	if ns == "default" {
		prefix = strings.ReplaceAll(strings.TrimPrefix(dir, "stacks/"), ".", "-") + "-"
	}
	name := func(i int) string { return fmt.Sprintf("%ssvc-%02d", prefix, i) }
	for i := range services {
		svc := name(i)
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app: %s\n    tier: %s\nspec:\n  replicas: %d\n  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n",
			svc, ns, svc, []string{"web", "api", "worker"}[i%3], 1+r.Intn(3), svc, svc)
		if r.Intn(2) == 0 {
			b.WriteString("      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n")
		}
		fmt.Fprintf(&b, "      containers:\n        - name: app\n          image: registry.example.com/shop/%s:1.%d.%d\n          ports:\n            - containerPort: 8080\n", svc, r.Intn(9), r.Intn(20))
		fmt.Fprintf(&b, "          envFrom:\n            - configMapRef:\n                name: %s-config\n          env:\n", svc)
		fmt.Fprintf(&b, "            - name: NEXT_URL\n              value: \"http://%s:8080\"\n", name((i+1)%services))
		fmt.Fprintf(&b, "            - name: CACHE_URL\n              value: \"redis://%s:6379\"\n", name((i+5)%services))
		fmt.Fprintf(&b, "            - name: LOG_LEVEL\n              value: \"info\"\n")
		if r.Intn(3) > 0 {
			b.WriteString("          resources:\n            limits:\n              cpu: 500m\n              memory: 512Mi\n")
		}
		if r.Intn(2) == 0 {
			b.WriteString("          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: 8080\n")
		}
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n", svc, ns)
		if i == 0 {
			b.WriteString("  type: LoadBalancer\n")
		}
		fmt.Fprintf(&b, "  selector:\n    app: %s\n  ports:\n    - port: 8080\n      targetPort: 8080\n", svc)
		out = append(out, File{Path: dir + "/k8s/" + svc + ".yaml", Text: []byte(b.String())})

		var c strings.Builder
		fmt.Fprintf(&c, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-config\n  namespace: %s\ndata:\n  DATABASE_URL: \"postgres://app@orders-db.%s.svc.cluster.local:5432/orders\"\n  FEATURE_FLAGS: \"a,b,c\"\n",
			svc, ns, ns)
		fmt.Fprintf(&c, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: %s-ingress\n  namespace: %s\nspec:\n  podSelector:\n    matchLabels:\n      app: %s\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: %s\n",
			svc, ns, svc, name((i+services-1)%services))
		out = append(out, File{Path: dir + "/k8s/" + svc + "-config.yaml", Text: []byte(c.String())})
	}
	return out
}

// LargeManifest returns one YAML stream of at least size bytes — the manifests of as many
// stacks as it takes, in one namespace, as `helm template` or `kubectl get -o yaml` writes
// them — and the offset of a point inside an environment value near its middle, where an
// edit keeps the file valid.
func LargeManifest(seed int64, size int) (text []byte, mid int) {
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	for s := 0; b.Len() < size; s++ {
		for _, f := range scaleManifests(r, fmt.Sprintf("stacks/s%04d", s), "default") {
			if b.Len() > 0 {
				b.WriteString("---\n")
			}
			b.Write(f.Text)
		}
	}
	text = []byte(b.String())
	const key = "value: \"http://"
	i := strings.Index(b.String()[len(text)/2:], key)
	return text, len(text)/2 + i + len(key) + 1
}

// DecodeYAML decodes every document of text with yaml.v3, as the baseline of the benchmarks
// of a large stream: what an edit would cost if nothing but its documents were read again.
func DecodeYAML(text []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
