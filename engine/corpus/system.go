package corpus

import (
	"fmt"
	"math/rand"
	"strings"
)

// The system corpus adds to each stack of the Terraform estate what a real platform repository
// holds beside it: the Kubernetes manifests of the stack's services, a docker-compose file for
// local development and an architecture document with a Mermaid data-flow diagram. Services
// name each other in environment variables, so flows cross files and formats.

var sysServices = []struct {
	name, image string
	port        int
	store       bool
}{
	{"web", "shop/web", 8080, false},
	{"api", "shop/api", 8080, false},
	{"worker", "shop/worker", 9000, false},
	{"orders-db", "postgres:16", 5432, true},
	{"cache", "redis:7", 6379, true},
	{"queue", "rabbitmq:3", 5672, true},
}

// systemFiles returns the manifests, compose file and document of one stack.
func systemFiles(r *rand.Rand, stack string) []File {
	ns := strings.ReplaceAll(strings.TrimPrefix(stack, "stacks/"), ".", "-")
	var out []File
	env := func(svc string) []string {
		switch svc {
		case "web":
			return []string{"API_URL=http://api:8080", "SESSION_SECRET=" + fmt.Sprint(r.Int63())}
		case "api":
			return []string{"DATABASE_URL=postgres://app:pw@orders-db:5432/orders", "REDIS_URL=redis://cache:6379",
				"AMQP_URL=amqp://queue:5672", "PAYMENT_URL=https://api.payments.example.com/v1"}
		case "worker":
			return []string{"DATABASE_URL=postgres://app@orders-db:5432/orders?sslmode=require", "AMQP_URL=amqp://queue:5672"}
		}
		return nil
	}
	for _, s := range sysServices {
		var b strings.Builder
		kind := "Deployment"
		if s.store {
			kind = "StatefulSet"
		}
		limits := r.Intn(3) > 0
		fmt.Fprintf(&b, "apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    app: %s\nspec:\n  replicas: %d\n  selector:\n    matchLabels:\n      app: %s\n  template:\n    metadata:\n      labels:\n        app: %s\n    spec:\n",
			kind, s.name, ns, s.name, 1+r.Intn(3), s.name, s.name)
		if r.Intn(2) == 0 {
			b.WriteString("      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n")
		}
		fmt.Fprintf(&b, "      containers:\n        - name: %s\n          image: %s\n          ports:\n            - containerPort: %d\n", s.name, s.image, s.port)
		if e := env(s.name); len(e) > 0 {
			b.WriteString("          env:\n")
			for _, kv := range e {
				k, v, _ := strings.Cut(kv, "=")
				fmt.Fprintf(&b, "            - name: %s\n              value: %q\n", k, v)
			}
		}
		if limits {
			b.WriteString("          resources:\n            limits:\n              cpu: 500m\n              memory: 512Mi\n")
		}
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: %s\nspec:\n", s.name, ns)
		if s.name == "web" {
			b.WriteString("  type: LoadBalancer\n")
		}
		fmt.Fprintf(&b, "  selector:\n    app: %s\n  ports:\n    - port: %d\n      targetPort: %d\n", s.name, s.port, s.port)
		out = append(out, File{Path: stack + "/k8s/" + s.name + ".yaml", Text: []byte(b.String())})
	}
	var c strings.Builder
	c.WriteString("services:\n")
	for _, s := range sysServices {
		fmt.Fprintf(&c, "  %s:\n    image: %s\n", s.name, s.image)
		if s.name == "web" {
			fmt.Fprintf(&c, "    ports:\n      - \"8080:%d\"\n", s.port)
		}
		if e := env(s.name); len(e) > 0 {
			c.WriteString("    environment:\n")
			for _, kv := range e {
				fmt.Fprintf(&c, "      - %s\n", kv)
			}
		}
	}
	out = append(out, File{Path: stack + "/compose.yaml", Text: []byte(c.String())})
	doc := "# Architecture\n\n```mermaid\nflowchart LR\n  internet((Internet)) -->|https 443| web\n  subgraph cluster\n    web -->|http 8080| api\n    api -->|postgres 5432| db[(orders-db)]\n    api --> cache[(cache)]\n    worker --> db\n  end\n```\n"
	out = append(out, File{Path: stack + "/docs/architecture.md", Text: []byte(doc)})
	return out
}

// System is the Terraform estate of spec plus the system files of each stack.
func System(spec Spec) []File {
	files := Terraform(spec)
	r := rand.New(rand.NewSource(spec.Seed + 1))
	stacks := map[string]bool{}
	var order []string
	for _, f := range files {
		if parts := strings.SplitN(f.Path, "/", 3); len(parts) == 3 && parts[0] == "stacks" {
			st := parts[0] + "/" + parts[1]
			if !stacks[st] {
				stacks[st] = true
				order = append(order, st)
			}
		}
	}
	for _, st := range order {
		files = append(files, systemFiles(r, st)...)
	}
	return files
}
