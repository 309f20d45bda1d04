package corpus

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The corpus is a Terraform estate for the AWS provider, generated from a seed so that every
// run sees the same bytes: stacks (one per environment and region), each a root module that
// calls six child modules (network, data, compute, iam, audit, serverless), each module split
// in main.tf, a second resource file, variables.tf, outputs.tf and locals.tf.
// Resources take the shapes real repositories use — nested, dynamic and count/for_each blocks,
// jsonencode, heredocs, aws_iam_policy_document, provider v4 companion resources — and about a
// third of them are written the insecure way. Files run from under 1 KB to 40 KB.

// Seed is the seed the benchmarks and tests generate their corpora from.
const Seed = 20260301

// Spec sizes a generated estate.
type Spec struct {
	Seed   int64
	Stacks int // each stack is a root module (2 files) and 6 child modules (5 files each)
}

// File is one generated file: a slash-separated path relative to the corpus root.
type File struct {
	Path string
	Text []byte
}

// Stats describes a generated corpus.
type Stats struct {
	Files    int
	Bytes    int64
	Min, Max int // file sizes in bytes
}

func (s Stats) String() string {
	return fmt.Sprintf("%d files, %.2f MB, %.1f–%.1f KB per file", s.Files, float64(s.Bytes)/1e6,
		float64(s.Min)/1024, float64(s.Max)/1024)
}

// Terraform returns the files of the estate, sorted by path.
func Terraform(spec Spec) []File {
	r := rand.New(rand.NewSource(spec.Seed))
	envs := []string{"prod", "staging", "dev", "qa", "perf", "sandbox", "dr", "shared"}
	regions := []string{"eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"}
	var out []File
	mix := map[string]int{}
	for s := 0; s < spec.Stacks; s++ {
		env := envs[s%len(envs)]
		region := regions[(s/len(envs)+s)%len(regions)]
		stack := fmt.Sprintf("stacks/%s-%s", env, region)
		if s >= len(envs)*len(regions) {
			stack += fmt.Sprintf("-%d", s)
		}
		st := &stackGen{r: r, mix: mix, env: env, region: region, dir: stack}
		out = append(out, st.files()...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// LargeFile returns one monolithic main.tf of at least lines lines (variables, locals
// and a few hundred resources of every kind) and the offset of a point inside a string
// literal near its middle, where an edit keeps the file valid.
func LargeFile(seed int64, lines int) (text []byte, mid int) {
	r := rand.New(rand.NewSource(seed))
	m := newModGen(r, map[string]int{}, "monolith", "prod", "eu-west-1")
	var body bytes.Buffer
	kinds := []func(*modGen, *bytes.Buffer){
		(*modGen).bucket, (*modGen).securityGroup, (*modGen).instance, (*modGen).dbInstance,
		(*modGen).iamRole, (*modGen).lambda, (*modGen).loadBalancer, (*modGen).kmsKey,
		(*modGen).trail, (*modGen).launchTemplate, (*modGen).sgRules, (*modGen).subnets,
		(*modGen).rdsCluster, (*modGen).iamPolicyDocument, (*modGen).logGroup,
	}
	// The header (terraform block, provider, variables, locals) comes first; its size depends
	// on what the body uses, so count its lines as the body grows.
	for {
		k := kinds[r.Intn(len(kinds))]
		k(m, &body)
		if bytes.Count(body.Bytes(), []byte("\n"))+m.headerLines() >= lines {
			break
		}
	}
	var b bytes.Buffer
	m.versions(&b)
	b.WriteString("\n")
	m.variables(&b)
	m.locals(&b)
	b.WriteString("\n")
	b.Write(body.Bytes())
	m.outputs(&b)
	text = b.Bytes()
	return text, StringPointNear(text, len(text)/2)
}

// StringPointNear returns an offset inside the value of the `description = "..."` attribute
// closest to off: after the opening quote and its first character.
func StringPointNear(text []byte, off int) int {
	return PointNear(text, off, `description = "`)
}

// NamePointNear returns the offset nearest off just inside a bucket's name, after its
// prefix: what the model reads (a keystroke there changes the bucket), where StringPointNear's
// description is read by nothing.
func NamePointNear(text []byte, off int) int {
	return PointNear(text, off, `bucket        = "${local.name_prefix}-`) - 1
}

// PointNear returns the offset one byte after the occurrence of key nearest off.
func PointNear(text []byte, off int, key string) int {
	best := -1
	for i := 0; ; {
		j := bytes.Index(text[i:], []byte(key))
		if j < 0 {
			break
		}
		p := i + j + len(key) + 1
		if best < 0 || abs(p-off) < abs(best-off) {
			best = p
		}
		i += j + len(key)
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Write writes files under dir.
func Write(dir string, files []File) (Stats, error) {
	st := Stats{Min: math.MaxInt}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return st, err
		}
		if err := os.WriteFile(p, f.Text, 0o644); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += int64(len(f.Text))
		st.Min = min(st.Min, len(f.Text))
		st.Max = max(st.Max, len(f.Text))
	}
	return st, nil
}

// stackGen generates one stack: a root module and its child modules.
type stackGen struct {
	r                *rand.Rand
	mix              map[string]int
	env, region, dir string
}

var childModules = []string{"network", "data", "compute", "iam", "audit", "serverless"}

func (s *stackGen) files() []File {
	var out []File
	add := func(p string, b *bytes.Buffer) {
		out = append(out, File{Path: s.dir + "/" + p, Text: append([]byte(nil), b.Bytes()...)})
	}
	var b bytes.Buffer
	// The root module: backend, provider and the calls of the child modules.
	fmt.Fprintf(&b, `terraform {
  required_version = ">= 1.5.0"

  backend "s3" {
    bucket         = "acme-terraform-state-%[1]s"
    key            = "%[2]s/terraform.tfstate"
    region         = "%[1]s"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = "%[1]s"

  default_tags {
    tags = {
      Environment = "%[3]s"
      ManagedBy   = "terraform"
      Repository  = "github.com/acme/infrastructure"
    }
  }
}

# CloudFront certificates and WAF web ACLs live in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

# The audit account receives the organisation trail and its logs.
provider "aws" {
  alias  = "audit"
  region = "%[1]s"

  assume_role {
    role_arn     = "arn:aws:iam::210987654321:role/terraform-audit"
    session_name = "terraform-%[3]s"
  }
}
`, s.region, s.dir, s.env)
	add("providers.tf", &b)
	b.Reset()
	fmt.Fprintf(&b, "# Stack %s: wires the modules of the %s environment together.\n\n", s.dir, s.env)
	for _, name := range childModules {
		fmt.Fprintf(&b, "module %q {\n  source = \"./%s\"\n\n", name, name)
		fmt.Fprintf(&b, "  project     = var.project\n  environment = %q\n  tags        = local.tags\n", s.env)
		switch name {
		case "data", "compute", "serverless":
			b.WriteString("  vpc_id      = module.network.vpc_id\n  subnet_ids  = module.network.private_subnet_ids\n")
		case "audit":
			b.WriteString("  log_retention_days = var.log_retention_days\n")
		}
		b.WriteString("}\n\n")
	}
	b.WriteString(`variable "project" {
  description = "Project name, used as a prefix of every resource name."
  type        = string
  default     = "acme"
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps logs."
  type        = number
  default     = 365
}

locals {
  tags = {
    Project     = var.project
    CostCenter  = "platform"
    Compliance  = "soc2"
  }
}

output "vpc_id" {
  value = module.network.vpc_id
}
`)
	add("main.tf", &b)
	for _, name := range childModules {
		m := newModGen(s.r, s.mix, name, s.env, s.region)
		for _, f := range m.moduleFiles() {
			out = append(out, File{Path: s.dir + "/" + name + "/" + f.Path, Text: f.Text})
		}
	}
	return out
}

// modGen generates one module. It records the variables, outputs and name suffixes its
// resources use so that variables.tf declares them all and names never collide.
type modGen struct {
	r                 *rand.Rand
	name, env, region string
	seq               int
	vars              []varDecl
	varSeen           map[string]bool
	outs              []string       // output blocks
	mix               map[string]int // resources generated by kind, shared by the corpus
}

type varDecl struct {
	name, typ, desc, def string // def is HCL source, "" for none
}

func newModGen(r *rand.Rand, mix map[string]int, name, env, region string) *modGen {
	m := &modGen{r: r, mix: mix, name: name, env: env, region: region, varSeen: map[string]bool{}}
	m.v("project", "string", "Project name, used as a prefix of every resource name.", `"acme"`)
	m.v("environment", "string", "Deployment environment.", fmt.Sprintf("%q", env))
	m.v("tags", "map(string)", "Tags added to every resource.", "{}")
	m.v("enable_monitoring", "bool", "Whether detailed monitoring and alarms are created.", "true")
	m.v("kms_key_arn", "string", "ARN of a customer-managed key; null uses the module's own key.", "null")
	m.v("allowed_cidrs", "list(string)", "CIDR blocks allowed to reach the module's endpoints.", `["10.0.0.0/8", "172.16.0.0/12"]`)
	return m
}

// v declares a variable (once) and returns the reference to it.
func (m *modGen) v(name, typ, desc, def string) string {
	if !m.varSeen[name] {
		m.varSeen[name] = true
		m.vars = append(m.vars, varDecl{name, typ, desc, def})
	}
	return "var." + name
}

// id returns a fresh resource name built on base.
func (m *modGen) id(base string) string {
	m.seq++
	if m.seq == 1 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, m.seq)
}

// insecure reports whether the next resource of a kind is written the insecure way: the
// second of every three, counted across the corpus, so that even a small corpus has some of
// each kind (which insecure variant is drawn at random).
func (m *modGen) insecure(kind string) bool {
	k := m.mix[kind]
	m.mix[kind]++
	return k%3 == 1
}

func (m *modGen) pick(xs ...string) string { return xs[m.r.Intn(len(xs))] }

func (m *modGen) out(name, value, desc string) {
	m.outs = append(m.outs, fmt.Sprintf("output %q {\n  description = %q\n  value       = %s\n}\n", name, desc, value))
}

// target draws a file size in bytes, log-uniform between lo and hi.
func (m *modGen) target(lo, hi float64) int {
	return int(math.Exp(math.Log(lo) + m.r.Float64()*(math.Log(hi)-math.Log(lo))))
}

func tags(name string) string {
	return fmt.Sprintf("merge(local.common_tags, {\n    Name = \"${local.name_prefix}-%s\"\n  })", strings.ReplaceAll(name, "_", "-"))
}

// moduleFiles returns the files of the module, each drawn to a target size.
func (m *modGen) moduleFiles() []File {
	type part struct {
		file  string
		lo    float64
		hi    float64
		kinds []func(*modGen, *bytes.Buffer)
	}
	var parts []part
	switch m.name {
	case "network":
		parts = []part{
			{"main.tf", 3e3, 30e3, []func(*modGen, *bytes.Buffer){(*modGen).vpc, (*modGen).subnets, (*modGen).routes}},
			{"security_groups.tf", 2e3, 38e3, []func(*modGen, *bytes.Buffer){(*modGen).securityGroup, (*modGen).sgRules}},
		}
	case "data":
		parts = []part{
			{"main.tf", 4e3, 38e3, []func(*modGen, *bytes.Buffer){(*modGen).bucket, (*modGen).kmsKey}},
			{"rds.tf", 2e3, 30e3, []func(*modGen, *bytes.Buffer){(*modGen).dbInstance, (*modGen).rdsCluster}},
		}
	case "compute":
		parts = []part{
			{"main.tf", 3e3, 38e3, []func(*modGen, *bytes.Buffer){(*modGen).instance, (*modGen).launchTemplate}},
			{"lb.tf", 2e3, 20e3, []func(*modGen, *bytes.Buffer){(*modGen).loadBalancer, (*modGen).securityGroup}},
		}
	case "iam":
		parts = []part{
			{"main.tf", 2e3, 30e3, []func(*modGen, *bytes.Buffer){(*modGen).iamRole, (*modGen).iamUser}},
			{"policies.tf", 1e3, 25e3, []func(*modGen, *bytes.Buffer){(*modGen).iamPolicyDocument, (*modGen).iamPolicy}},
		}
	case "audit":
		parts = []part{
			{"main.tf", 2e3, 25e3, []func(*modGen, *bytes.Buffer){(*modGen).trail, (*modGen).kmsKey}},
			{"alarms.tf", 1e3, 15e3, []func(*modGen, *bytes.Buffer){(*modGen).logGroup, (*modGen).alarm}},
		}
	case "serverless":
		parts = []part{
			{"main.tf", 2e3, 35e3, []func(*modGen, *bytes.Buffer){(*modGen).lambda, (*modGen).queue}},
			{"storage.tf", 1e3, 20e3, []func(*modGen, *bytes.Buffer){(*modGen).bucket, (*modGen).table}},
		}
	}
	var out []File
	for i, p := range parts {
		var b bytes.Buffer
		fmt.Fprintf(&b, "# %s module: %s\n\n", m.name, strings.TrimSuffix(p.file, ".tf"))
		if i == 0 {
			m.versions(&b)
			b.WriteString("\n")
		}
		want := m.target(p.lo, p.hi)
		for b.Len() < want {
			p.kinds[m.r.Intn(len(p.kinds))](m, &b)
		}
		out = append(out, File{Path: p.file, Text: b.Bytes()})
	}
	var b bytes.Buffer
	m.variables(&b)
	out = append(out, File{Path: "variables.tf", Text: append([]byte(nil), b.Bytes()...)})
	b.Reset()
	m.outputs(&b)
	out = append(out, File{Path: "outputs.tf", Text: append([]byte(nil), b.Bytes()...)})
	b.Reset()
	m.locals(&b)
	out = append(out, File{Path: "locals.tf", Text: append([]byte(nil), b.Bytes()...)})
	return out
}

func (m *modGen) headerLines() int {
	var b bytes.Buffer
	m.versions(&b)
	m.variables(&b)
	m.locals(&b)
	m.outputs(&b)
	return bytes.Count(b.Bytes(), []byte("\n")) + 2
}

func (m *modGen) versions(b *bytes.Buffer) {
	b.WriteString(`terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 4.60"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}
`)
}

func (m *modGen) variables(b *bytes.Buffer) {
	for _, v := range m.vars {
		fmt.Fprintf(b, "variable %q {\n  description = %q\n  type        = %s\n", v.name, v.desc, v.typ)
		if v.def != "" {
			fmt.Fprintf(b, "  default     = %s\n", v.def)
		}
		if v.name == "allowed_cidrs" {
			b.WriteString(`
  validation {
    condition     = alltrue([for c in var.allowed_cidrs : can(cidrnetmask(c))])
    error_message = "Every entry of allowed_cidrs must be an IPv4 CIDR block."
  }
`)
		}
		if v.name == "environment" {
			b.WriteString(`
  validation {
    condition     = contains(["prod", "staging", "dev", "qa", "perf", "sandbox", "dr", "shared"], var.environment)
    error_message = "environment must be a known environment."
  }
`)
		}
		b.WriteString("}\n\n")
	}
}

func (m *modGen) outputs(b *bytes.Buffer) {
	for _, o := range m.outs {
		b.WriteString(o)
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "output \"name_prefix\" {\n  description = \"Prefix of every resource name of the module.\"\n  value       = local.name_prefix\n}\n\n")
	fmt.Fprintf(b, "output \"tags\" {\n  description = \"Tags applied to every resource of the module.\"\n  value       = local.common_tags\n}\n")
}

func (m *modGen) locals(b *bytes.Buffer) {
	fmt.Fprintf(b, `locals {
  name_prefix = "${var.project}-${var.environment}"
  module      = %q

  common_tags = merge(var.tags, {
    Module      = local.module
    Environment = var.environment
    Owner       = "platform-team@acme.example"
  })

  # Ports every service listens on, by protocol.
  service_ports = {
    http  = 80
    https = 443
    app   = 8080
  }

  is_production = var.environment == "prod"
  azs           = ["%[2]sa", "%[2]sb", "%[2]sc"]

  # Sizing per environment: production runs larger and across every zone.
  sizing = {
    prod    = { instance_type = "m6i.xlarge", min = 3, max = 12, multi_az = true }
    staging = { instance_type = "m6i.large", min = 2, max = 6, multi_az = true }
    dev     = { instance_type = "t3.medium", min = 1, max = 2, multi_az = false }
  }
  size = lookup(local.sizing, var.environment, local.sizing["dev"])

  kms_key_arn = coalesce(var.kms_key_arn, "arn:aws:kms:%[2]s:123456789012:alias/aws/ebs")
  monitoring  = var.enable_monitoring && local.is_production
}
`, m.name, m.region)
}

// --- network ---

func (m *modGen) vpc(b *bytes.Buffer) {
	n := m.id("main")
	cidr := m.v("vpc_cidr", "string", "CIDR block of the VPC.", `"10.20.0.0/16"`)
	fmt.Fprintf(b, `resource "aws_vpc" %[1]q {
  cidr_block           = %[2]s
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = %[3]s
}

resource "aws_internet_gateway" %[1]q {
  vpc_id = aws_vpc.%[1]s.id
  tags   = %[3]s
}

resource "aws_flow_log" %[1]q {
  vpc_id               = aws_vpc.%[1]s.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.%[1]s_flow.arn
  iam_role_arn         = aws_iam_role.%[1]s_flow.arn
}

resource "aws_cloudwatch_log_group" "%[1]s_flow" {
  name              = "/aws/vpc/${local.name_prefix}-%[1]s"
  retention_in_days = 90
}

resource "aws_iam_role" "%[1]s_flow" {
  name = "${local.name_prefix}-%[1]s-flow-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

`, n, cidr, tags(n))
	m.out(n+"_vpc_id", "aws_vpc."+n+".id", "ID of the VPC.")
	if n == "main" {
		m.out("vpc_id", "aws_vpc."+n+".id", "ID of the main VPC.")
	}
}

func (m *modGen) subnets(b *bytes.Buffer) {
	n := m.id(m.pick("private", "public", "data", "app"))
	public := strings.HasPrefix(n, "public")
	cidr := m.v("vpc_cidr", "string", "CIDR block of the VPC.", `"10.20.0.0/16"`)
	fmt.Fprintf(b, `# Subnets %[1]s: one per availability zone.
resource "aws_subnet" %[1]q {
  count = length(local.azs)

  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(%[2]s, 8, count.index + %[3]d)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = %[4]t

  tags = merge(local.common_tags, {
    Name = "${local.name_prefix}-%[1]s-${local.azs[count.index]}"
    Tier = %[1]q
  })
}

resource "aws_route_table" %[1]q {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }

  tags = %[5]s
}

resource "aws_route_table_association" %[1]q {
  count          = length(aws_subnet.%[1]s)
  subnet_id      = aws_subnet.%[1]s[count.index].id
  route_table_id = aws_route_table.%[1]s.id
}

`, n, cidr, m.r.Intn(200), public, tags(n))
	if strings.HasPrefix(n, "private") {
		m.out(n+"_subnet_ids", "aws_subnet."+n+"[*].id", "IDs of the "+n+" subnets.")
		if n == "private" {
			m.out("private_subnet_ids", "aws_subnet.private[*].id", "IDs of the private subnets.")
		}
	}
}

func (m *modGen) routes(b *bytes.Buffer) {
	n := m.id("nat")
	fmt.Fprintf(b, `resource "aws_eip" %[1]q {
  count  = local.is_production ? length(local.azs) : 1
  domain = "vpc"
  tags   = %[2]s
}

resource "aws_nat_gateway" %[1]q {
  count         = local.is_production ? length(local.azs) : 1
  allocation_id = aws_eip.%[1]s[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = %[2]s

  depends_on = [aws_internet_gateway.main]
}

resource "aws_route" "%[1]s_egress" {
  count                  = length(aws_nat_gateway.%[1]s)
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.%[1]s[count.index].id
}

`, n, tags(n))
	m.out(n+"_public_ips", "aws_eip."+n+"[*].public_ip", "Public IPs of the "+n+" gateways.")
}

func (m *modGen) securityGroup(b *bytes.Buffer) {
	n := m.id(m.pick("web", "app", "bastion", "db", "cache", "worker", "admin", "monitoring"))
	vpc := m.v("vpc_id", "string", "ID of the VPC resources are created in.", `"vpc-0a1b2c3d4e5f60718"`)
	fmt.Fprintf(b, "resource \"aws_security_group\" %q {\n  name        = \"${local.name_prefix}-%s\"\n  description = \"Traffic to and from the %s tier\"\n  vpc_id      = %s\n\n", n, strings.ReplaceAll(n, "_", "-"), n, vpc)
	rules := 1 + m.r.Intn(4)
	for i := 0; i < rules; i++ {
		port := []int{443, 80, 8080, 5432, 6379, 22, 3389, 9090}[m.r.Intn(8)]
		from, cidr := "the VPC", `["10.0.0.0/8"]`
		if m.insecure("securityGroup") {
			from, cidr = "anywhere", `["0.0.0.0/0"]`
			if m.r.Intn(3) == 0 {
				cidr = `["0.0.0.0/0", "::/0"]`
			}
		}
		fmt.Fprintf(b, "  ingress {\n    description = \"port %d from %s\"\n    from_port   = %d\n    to_port     = %d\n    protocol    = \"tcp\"\n    cidr_blocks = %s\n  }\n\n", port, from, port, port, cidr)
	}
	if m.r.Intn(3) == 0 {
		// An allow-all rule in a variable default: read through the variable.
		all := m.v(n+"_admin_cidrs", "list(string)", "CIDR blocks the admin ports are open to.", `["0.0.0.0/0"]`)
		fmt.Fprintf(b, "  ingress {\n    description = \"all ports for admins\"\n    from_port   = 0\n    to_port     = 65535\n    protocol    = \"tcp\"\n    cidr_blocks = %s\n  }\n\n", all)
	}
	if m.r.Intn(2) == 0 {
		fmt.Fprintf(b, `  dynamic "ingress" {
    for_each = local.service_ports
    content {
      description     = "${ingress.key} from the load balancer"
      from_port       = ingress.value
      to_port         = ingress.value
      protocol        = "tcp"
      security_groups = [aws_security_group.lb.id]
    }
  }

`)
	}
	fmt.Fprintf(b, `  egress {
    description = "all outbound"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }

  tags = %s
}

`, tags(n))
	m.out(n+"_security_group_id", "aws_security_group."+n+".id", "ID of the "+n+" security group.")
}

func (m *modGen) sgRules(b *bytes.Buffer) {
	n := m.id(m.pick("ssh", "rdp", "https", "metrics", "postgres"))
	port := map[string]int{"ssh": 22, "rdp": 3389, "https": 443, "metrics": 9100, "postgres": 5432}[strings.SplitN(n, "_", 2)[0]]
	cidr := `"10.20.0.0/16"`
	if m.insecure("sgRules") {
		cidr = `"0.0.0.0/0"`
	}
	fmt.Fprintf(b, `resource "aws_security_group" "%[1]s_target" {
  name_prefix = "${local.name_prefix}-%[1]s-"
  description = "Targets reachable on port %[2]d"
  vpc_id      = aws_vpc.main.id
  tags        = %[4]s
}

resource "aws_security_group_rule" "%[1]s_in" {
  type              = "ingress"
  description       = "%[1]s in"
  from_port         = %[2]d
  to_port           = %[2]d
  protocol          = "tcp"
  cidr_blocks       = [%[3]s]
  security_group_id = aws_security_group.%[1]s_target.id
}

resource "aws_vpc_security_group_ingress_rule" "%[1]s_v2" {
  security_group_id = aws_security_group.%[1]s_target.id
  description       = "%[1]s in (v2 rule)"
  cidr_ipv4         = %[3]s
  from_port         = %[2]d
  to_port           = %[2]d
  ip_protocol       = "tcp"
}

resource "aws_security_group_rule" "%[1]s_out" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.%[1]s_target.id
}

`, n, port, cidr, tags(n))
}

// --- data ---

func (m *modGen) bucket(b *bytes.Buffer) {
	n := m.id(m.pick("logs", "artifacts", "backups", "assets", "reports", "exports", "uploads", "datalake"))
	bad := m.insecure("bucket")
	dash := strings.ReplaceAll(n, "_", "-")
	if bad {
		// Every other insecure bucket carries an accepted risk.
		if m.mix["insecure bucket"]%2 == 0 {
			b.WriteString("# Versioning is not needed: objects are rebuilt from source on every deploy.\n")
			b.WriteString("# threatls:ignore AWS-S3-005 objects are rebuilt from source on every deploy, reviewed by security 2026-03\n")
		}
		m.mix["insecure bucket"]++
	}
	fmt.Fprintf(b, `resource "aws_s3_bucket" %[1]q {
  bucket        = "${local.name_prefix}-%[2]s"
  force_destroy = %[3]t

  tags = %[4]s
}

`, n, dash, !bad, tags(n))
	if !bad || m.r.Intn(2) == 0 {
		fmt.Fprintf(b, `resource "aws_s3_bucket_public_access_block" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

`, n)
	} else if m.r.Intn(2) == 0 {
		fmt.Fprintf(b, `resource "aws_s3_bucket_acl" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id
  acl    = "public-read"
}

`, n)
	}
	if !bad {
		fmt.Fprintf(b, `resource "aws_s3_bucket_versioning" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.%[2]s.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" %[1]q {
  bucket        = aws_s3_bucket.%[1]s.id
  target_bucket = "${local.name_prefix}-access-logs"
  target_prefix = "s3/%[3]s/"
}

resource "aws_s3_bucket_lifecycle_configuration" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id

  rule {
    id     = "expire-noncurrent"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = %[4]d
    }

    transition {
      days          = 30
      storage_class = "STANDARD_IA"
    }
  }
}

`, n, "main", dash, 30+m.r.Intn(335))
	} else if m.r.Intn(2) == 0 {
		fmt.Fprintf(b, `resource "aws_s3_bucket_versioning" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id
  versioning_configuration {
    status = "Suspended"
  }
}

`, n)
	}
	principal := `{ AWS = "arn:aws:iam::123456789012:root" }`
	if bad && m.r.Intn(2) == 0 {
		principal = `"*"`
	}
	fmt.Fprintf(b, `resource "aws_s3_bucket_policy" %[1]q {
  bucket = aws_s3_bucket.%[1]s.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ReadObjects"
        Effect    = "Allow"
        Principal = %[2]s
        Action    = ["s3:GetObject"]
        Resource  = "${aws_s3_bucket.%[1]s.arn}/*"
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource = [
          aws_s3_bucket.%[1]s.arn,
          "${aws_s3_bucket.%[1]s.arn}/*",
        ]
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  })
}

`, n, principal)
	m.out(n+"_bucket_arn", "aws_s3_bucket."+n+".arn", "ARN of the "+n+" bucket.")
}

func (m *modGen) kmsKey(b *bytes.Buffer) {
	n := m.id("main")
	fmt.Fprintf(b, `resource "aws_kms_key" %[1]q {
  description             = "Key for %[2]s data of ${local.name_prefix}"
  deletion_window_in_days = %[3]d
  enable_key_rotation     = %[4]t
  multi_region            = false

  policy = data.aws_iam_policy_document.%[1]s_key.json

  tags = %[5]s
}

resource "aws_kms_alias" %[1]q {
  name          = "alias/${local.name_prefix}-%[6]s"
  target_key_id = aws_kms_key.%[1]s.key_id
}

data "aws_iam_policy_document" "%[1]s_key" {
  statement {
    sid       = "RootAccount"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
  }

  statement {
    sid     = "AllowCloudTrail"
    effect  = "Allow"
    actions = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com", "logs.%[7]s.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:aws:cloudtrail:*:123456789012:trail/*"]
    }
  }
}

`, n, m.name, 7+m.r.Intn(24), !m.insecure("kmsKey"), tags(n), strings.ReplaceAll(n, "_", "-"), m.region)
	m.out(n+"_key_arn", "aws_kms_key."+n+".arn", "ARN of the "+n+" key.")
}

func (m *modGen) dbInstance(b *bytes.Buffer) {
	n := m.id(m.pick("orders", "users", "billing", "inventory", "analytics"))
	bad := m.insecure("dbInstance")
	engine := m.pick("postgres", "mysql")
	version := map[string]string{"postgres": "15.5", "mysql": "8.0.35"}[engine]
	class := m.v("db_instance_class", "string", "Instance class of the databases.", `"db.r6g.large"`)
	backup := 7 + m.r.Intn(28)
	if bad && m.r.Intn(2) == 0 {
		backup = 0
	}
	public := bad && m.r.Intn(2) == 0
	fmt.Fprintf(b, `resource "aws_db_subnet_group" %[1]q {
  name       = "${local.name_prefix}-%[2]s"
  subnet_ids = var.subnet_ids
  tags       = %[3]s
}

resource "aws_db_parameter_group" %[1]q {
  name   = "${local.name_prefix}-%[2]s"
  family = "%[4]s%[5]s"

  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }
}

resource "aws_db_instance" %[1]q {
  identifier     = "${local.name_prefix}-%[2]s"
  engine         = %[4]q
  engine_version = %[6]q
  instance_class = %[7]s

  allocated_storage     = %[8]d
  max_allocated_storage = %[9]d
  storage_type          = "gp3"
  storage_encrypted     = %[10]t
`, n, strings.ReplaceAll(n, "_", "-"), tags(n), engine, strings.SplitN(version, ".", 2)[0], version, class,
		20*(1+m.r.Intn(10)), 1000, !bad || m.r.Intn(2) == 0)
	m.v("subnet_ids", "list(string)", "IDs of the subnets resources are placed in.", "")
	if !bad {
		fmt.Fprintf(b, "  kms_key_id            = aws_kms_key.main.arn\n")
	}
	fmt.Fprintf(b, `
  db_name  = %[1]q
  username = "app_admin"
  # The password lives in Secrets Manager, rotated by AWS.
  manage_master_user_password = true

  db_subnet_group_name   = aws_db_subnet_group.%[1]s.name
  parameter_group_name   = aws_db_parameter_group.%[1]s.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = %[2]t
  multi_az               = local.is_production

  backup_retention_period   = %[3]d
  backup_window             = "03:00-04:00"
  maintenance_window        = "sun:04:30-sun:05:30"
  deletion_protection       = %[4]t
  skip_final_snapshot       = %[5]t
  final_snapshot_identifier = "${local.name_prefix}-%[1]s-final"
  copy_tags_to_snapshot     = true

  performance_insights_enabled    = true
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]

  tags = %[6]s
}

`, n, public, backup, !bad, bad, tags(n))
	m.out(n+"_endpoint", "aws_db_instance."+n+".endpoint", "Endpoint of the "+n+" database.")
}

func (m *modGen) rdsCluster(b *bytes.Buffer) {
	n := m.id(m.pick("events", "catalog", "sessions"))
	bad := m.insecure("rdsCluster")
	fmt.Fprintf(b, `resource "aws_rds_cluster" %[1]q {
  cluster_identifier      = "${local.name_prefix}-%[2]s"
  engine                  = "aurora-postgresql"
  engine_version          = "15.4"
  database_name           = %[1]q
  master_username         = "app_admin"
  manage_master_user_password = true
  storage_encrypted       = %[3]t
  backup_retention_period = %[4]d
  deletion_protection     = %[3]t
  db_subnet_group_name    = aws_db_subnet_group.%[1]s.name
  vpc_security_group_ids  = [aws_security_group.db.id]
  skip_final_snapshot     = %[5]t

  serverlessv2_scaling_configuration {
    min_capacity = 0.5
    max_capacity = 16
  }

  tags = %[6]s
}

resource "aws_db_subnet_group" %[1]q {
  name       = "${local.name_prefix}-%[2]s"
  subnet_ids = var.subnet_ids
}

resource "aws_rds_cluster_instance" %[1]q {
  count               = local.is_production ? 2 : 1
  identifier          = "${local.name_prefix}-%[2]s-${count.index}"
  cluster_identifier  = aws_rds_cluster.%[1]s.id
  instance_class      = "db.serverless"
  engine              = aws_rds_cluster.%[1]s.engine
  engine_version      = aws_rds_cluster.%[1]s.engine_version
  publicly_accessible = %[7]t
}

`, n, strings.ReplaceAll(n, "_", "-"), !bad, 1+m.r.Intn(30), bad, tags(n), bad && m.r.Intn(3) == 0)
	m.v("subnet_ids", "list(string)", "IDs of the subnets resources are placed in.", "")
	m.out(n+"_cluster_endpoint", "aws_rds_cluster."+n+".endpoint", "Writer endpoint of the "+n+" cluster.")
}

// --- compute ---

func (m *modGen) instance(b *bytes.Buffer) {
	n := m.id(m.pick("bastion", "jump", "build", "vpn", "legacy_app"))
	bad := m.insecure("instance")
	ami := m.v("ami_id", "string", "AMI of the instances.", `"ami-0c55b159cbfafe1f0"`)
	fmt.Fprintf(b, `resource "aws_instance" %[1]q {
  ami                    = %[2]s
  instance_type          = %[3]q
  subnet_id              = var.subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.%[4]s.id]
  iam_instance_profile   = aws_iam_instance_profile.%[1]s.name
  monitoring             = true
  ebs_optimized          = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = %[5]q
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = %[6]d
    encrypted             = %[7]t
    delete_on_termination = true
  }

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 100
    encrypted   = %[7]t
  }

  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    yum update -y
    echo "environment=${var.environment}" > /etc/acme.conf
  EOT

  tags = %[8]s
}

resource "aws_iam_instance_profile" %[1]q {
  name = "${local.name_prefix}-%[9]s"
  role = aws_iam_role.%[1]s.name
}

resource "aws_iam_role" %[1]q {
  name               = "${local.name_prefix}-%[9]s"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_ebs_volume" %[1]q {
  availability_zone = local.azs[0]
  size              = 200
  type              = "gp3"
  encrypted         = %[7]t
  tags              = %[8]s
}

`, n, ami, m.pick("t3.micro", "t3.large", "m6i.xlarge", "c6i.2xlarge"), "app", map[bool]string{true: "optional", false: "required"}[bad],
		20+m.r.Intn(100), !bad, tags(n), strings.ReplaceAll(n, "_", "-"))
	m.v("subnet_ids", "list(string)", "IDs of the subnets resources are placed in.", "")
	m.out(n+"_private_ip", "aws_instance."+n+".private_ip", "Private IP of "+n+".")
}

func (m *modGen) launchTemplate(b *bytes.Buffer) {
	n := m.id(m.pick("web", "worker", "api", "batch"))
	bad := m.insecure("launchTemplate")
	ami := m.v("ami_id", "string", "AMI of the instances.", `"ami-0c55b159cbfafe1f0"`)
	size := m.v(n+"_capacity", "object({ min = number, max = number, desired = number })",
		"Size of the "+n+" autoscaling group.", fmt.Sprintf("{\n    min     = %d\n    max     = %d\n    desired = %d\n  }", 1, 4+m.r.Intn(12), 2))
	fmt.Fprintf(b, `resource "aws_launch_template" %[1]q {
  name_prefix   = "${local.name_prefix}-%[2]s-"
  image_id      = %[3]s
  instance_type = %[4]q
  description   = "Launch template of the %[2]s fleet"

  iam_instance_profile {
    name = aws_iam_instance_profile.%[1]s.name
  }

  vpc_security_group_ids = [aws_security_group.%[1]s.id]

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 50
      volume_type = "gp3"
      encrypted   = %[5]t
    }
  }

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  user_data = base64encode(templatefile("${path.module}/templates/%[2]s.sh.tpl", {
    environment = var.environment
    region      = %[6]q
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = %[7]s
  }
}

resource "aws_autoscaling_group" %[1]q {
  name_prefix         = "${local.name_prefix}-%[2]s-"
  min_size            = %[8]s.min
  max_size            = %[8]s.max
  desired_capacity    = %[8]s.desired
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [aws_lb_target_group.%[1]s.arn]
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.%[1]s.id
    version = "$Latest"
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 90
    }
  }

  dynamic "tag" {
    for_each = local.common_tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}

resource "aws_lb_target_group" %[1]q {
  name     = "${local.name_prefix}-%[2]s"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = var.vpc_id

  health_check {
    path                = "/healthz"
    healthy_threshold   = 2
    unhealthy_threshold = 3
    interval            = 15
  }
}

`, n, strings.ReplaceAll(n, "_", "-"), ami, m.pick("t3.medium", "m6i.large", "c6g.large"), !bad, m.region, tags(n), size)
	m.v("subnet_ids", "list(string)", "IDs of the subnets resources are placed in.", "")
	m.v("vpc_id", "string", "ID of the VPC resources are created in.", `"vpc-0a1b2c3d4e5f60718"`)
	m.out(n+"_asg_name", "aws_autoscaling_group."+n+".name", "Name of the "+n+" autoscaling group.")
}

func (m *modGen) loadBalancer(b *bytes.Buffer) {
	n := m.id(m.pick("public", "internal", "api"))
	bad := m.insecure("loadBalancer")
	internal := strings.HasPrefix(n, "internal")
	policy := "ELBSecurityPolicy-TLS13-1-2-2021-06"
	if bad {
		policy = "ELBSecurityPolicy-2016-08"
	}
	fmt.Fprintf(b, `resource "aws_lb" %[1]q {
  name                       = "${local.name_prefix}-%[2]s"
  internal                   = %[3]t
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.lb.id]
  subnets                    = var.subnet_ids
  drop_invalid_header_fields = %[4]t
  enable_deletion_protection = local.is_production

  access_logs {
    bucket  = "${local.name_prefix}-lb-logs"
    prefix  = %[2]q
    enabled = %[4]t
  }

  tags = %[5]s
}

resource "aws_lb_listener" "%[1]s_https" {
  load_balancer_arn = aws_lb.%[1]s.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = %[6]q
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

`, n, strings.ReplaceAll(n, "_", "-"), internal, !bad, tags(n), policy)
	m.v("certificate_arn", "string", "ARN of the ACM certificate of the load balancers.", `"arn:aws:acm:eu-west-1:123456789012:certificate/4f0c1b9e-7d1a-4c5e-9f7e-2b8a1d3c4e5f"`)
	m.v("subnet_ids", "list(string)", "IDs of the subnets resources are placed in.", "")
	if bad {
		fmt.Fprintf(b, `resource "aws_lb_listener" "%[1]s_http" {
  load_balancer_arn = aws_lb.%[1]s.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

`, n)
	} else {
		fmt.Fprintf(b, `resource "aws_lb_listener" "%[1]s_http" {
  load_balancer_arn = aws_lb.%[1]s.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener_rule" "%[1]s_maintenance" {
  listener_arn = aws_lb_listener.%[1]s_https.arn
  priority     = 100

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Down for maintenance"
      status_code  = "503"
    }
  }

  condition {
    path_pattern {
      values = ["/maintenance/*"]
    }
  }
}

`, n)
	}
	m.out(n+"_dns_name", "aws_lb."+n+".dns_name", "DNS name of the "+n+" load balancer.")
}

// --- iam ---

func (m *modGen) iamRole(b *bytes.Buffer) {
	n := m.id(m.pick("deploy", "ci", "readonly", "etl", "support", "backup"))
	bad := m.insecure("iamRole")
	dash := strings.ReplaceAll(n, "_", "-")
	action, resource := `"s3:GetObject",
        "s3:PutObject"`, `"arn:aws:s3:::acme-${var.environment}-*/*"`
	if bad {
		action = `"*"`
		if m.r.Intn(2) == 0 {
			action = `"s3:*"`
		}
		resource = `"*"`
	}
	fmt.Fprintf(b, `resource "aws_iam_role" %[1]q {
  name                 = "${local.name_prefix}-%[2]s"
  description          = "Role assumed by the %[2]s automation"
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.%[1]s_assume.json
  tags                 = %[3]s
}

data "aws_iam_policy_document" "%[1]s_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }

    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/*:ref:refs/heads/main"]
    }
  }
}

resource "aws_iam_role_policy" %[1]q {
  name = "%[2]s-inline"
  role = aws_iam_role.%[1]s.id

  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Objects",
      "Effect": "Allow",
      "Action": [
        %[4]s
      ],
      "Resource": %[5]s
    }
  ]
}
EOF
}

resource "aws_iam_role_policy_attachment" "%[1]s_readonly" {
  role       = aws_iam_role.%[1]s.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

`, n, dash, tags(n), action, resource)
	m.out(n+"_role_arn", "aws_iam_role."+n+".arn", "ARN of the "+n+" role.")
}

func (m *modGen) iamUser(b *bytes.Buffer) {
	n := m.id(m.pick("legacy_ci", "reporting", "vendor", "breakglass"))
	bad := m.insecure("iamUser")
	policy := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	if bad {
		policy = "arn:aws:iam::aws:policy/AdministratorAccess"
	}
	fmt.Fprintf(b, `resource "aws_iam_user" %[1]q {
  name          = "%[2]s-${var.environment}"
  path          = "/system/"
  force_destroy = true
  tags          = %[3]s
}

resource "aws_iam_user_policy_attachment" %[1]q {
  user       = aws_iam_user.%[1]s.name
  policy_arn = %[4]q
}

resource "aws_iam_group" %[1]q {
  name = "%[2]s-users"
}

resource "aws_iam_group_membership" %[1]q {
  name  = "%[2]s-membership"
  group = aws_iam_group.%[1]s.name
  users = [aws_iam_user.%[1]s.name]
}

`, n, strings.ReplaceAll(n, "_", "-"), tags(n), policy)
	m.out(n+"_user_arn", "aws_iam_user."+n+".arn", "ARN of the "+n+" user.")
}

func (m *modGen) iamPolicyDocument(b *bytes.Buffer) {
	n := m.id(m.pick("ecr_push", "logs_write", "secrets_read", "sqs_consume", "dynamodb_rw"))
	bad := m.insecure("iamPolicyDocument")
	actions := map[string]string{
		"ecr":      `["ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]`,
		"logs":     `["logs:CreateLogStream", "logs:PutLogEvents"]`,
		"secrets":  `["secretsmanager:GetSecretValue"]`,
		"sqs":      `["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]`,
		"dynamodb": `["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]`,
	}[strings.SplitN(n, "_", 2)[0]]
	resources := `["arn:aws:*:` + m.region + `:123456789012:*/${local.name_prefix}-*"]`
	if bad {
		resources = `["*"]`
		if m.r.Intn(2) == 0 {
			actions = `["*"]`
		}
	}
	fmt.Fprintf(b, `data "aws_iam_policy_document" %[1]q {
  statement {
    sid       = "%[2]s"
    effect    = "Allow"
    actions   = %[3]s
    resources = %[4]s
  }

  statement {
    sid     = "DenyOutsideOrg"
    effect  = "Deny"
    actions = ["*"]
    resources = ["*"]

    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc123def4"]
    }
  }
}

resource "aws_iam_policy" %[1]q {
  name        = "${local.name_prefix}-%[5]s"
  description = "Lets workloads %[6]s"
  policy      = data.aws_iam_policy_document.%[1]s.json
}

`, n, camel(n), actions, resources,
		strings.ReplaceAll(n, "_", "-"), strings.ReplaceAll(n, "_", " "))
	m.out(n+"_policy_arn", "aws_iam_policy."+n+".arn", "ARN of the "+n+" policy.")
}

func (m *modGen) iamPolicy(b *bytes.Buffer) {
	n := m.id(m.pick("boundary", "ops", "analytics_read", "kms_use"))
	bad := m.insecure("iamPolicy")
	action, resource := `["kms:Decrypt", "kms:DescribeKey"]`, `aws_kms_key.main.arn`
	if bad {
		action, resource = `"*"`, `"*"`
	}
	fmt.Fprintf(b, `resource "aws_iam_policy" %[1]q {
  name        = "${local.name_prefix}-%[2]s"
  path        = "/"
  description = "%[2]s permissions"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Main"
        Effect   = "Allow"
        Action   = %[3]s
        Resource = %[4]s
      },
    ]
  })

  tags = %[5]s
}

`, n, strings.ReplaceAll(n, "_", "-"), action, resource, tags(n))
	m.out(n+"_policy_arn", "aws_iam_policy."+n+".arn", "ARN of the "+n+" policy.")
}

// --- audit ---

func (m *modGen) trail(b *bytes.Buffer) {
	n := m.id("org")
	bad := m.insecure("trail")
	fmt.Fprintf(b, `resource "aws_cloudtrail" %[1]q {
  name                          = "${local.name_prefix}-%[2]s"
  s3_bucket_name                = aws_s3_bucket.%[1]s_trail.id
  include_global_service_events = true
  is_multi_region_trail         = %[3]t
  enable_log_file_validation    = %[3]t
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.%[1]s_trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.%[1]s_trail.arn
`, n, strings.ReplaceAll(n, "_", "-"), !bad)
	if !bad {
		b.WriteString("  kms_key_id                    = aws_kms_key.main.arn\n")
	}
	fmt.Fprintf(b, `
  event_selector {
    read_write_type           = "All"
    include_management_events = true

    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }

  tags = %[2]s
}

resource "aws_s3_bucket" "%[1]s_trail" {
  bucket = "${local.name_prefix}-%[3]s-trail"
  tags   = %[2]s
}

resource "aws_s3_bucket_public_access_block" "%[1]s_trail" {
  bucket                  = aws_s3_bucket.%[1]s_trail.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "%[1]s_trail" {
  bucket = aws_s3_bucket.%[1]s_trail.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "%[1]s_trail" {
  bucket = aws_s3_bucket.%[1]s_trail.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_cloudwatch_log_group" "%[1]s_trail" {
  name              = "/aws/cloudtrail/${local.name_prefix}-%[3]s"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_iam_role" "%[1]s_trail" {
  name = "${local.name_prefix}-%[3]s-trail"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

`, n, tags(n), strings.ReplaceAll(n, "_", "-"))
	m.v("log_retention_days", "number", "Days CloudWatch keeps logs.", "365")
	m.out(n+"_trail_arn", "aws_cloudtrail."+n+".arn", "ARN of the "+n+" trail.")
}

func (m *modGen) logGroup(b *bytes.Buffer) {
	n := m.id(m.pick("app", "audit", "access", "waf"))
	days := []int{0, 14, 30, 90, 365}[m.r.Intn(5)]
	fmt.Fprintf(b, `resource "aws_cloudwatch_log_group" %[1]q {
  name              = "/acme/${var.environment}/%[2]s"
  retention_in_days = %[3]d
}

resource "aws_cloudwatch_log_metric_filter" %[1]q {
  name           = "%[2]s-errors"
  log_group_name = aws_cloudwatch_log_group.%[1]s.name
  pattern        = "{ ($.level = \"error\") || ($.status >= 500) }"

  metric_transformation {
    name      = "%[2]s-errors"
    namespace = "Acme/${var.environment}"
    value     = "1"
  }
}

`, n, strings.ReplaceAll(n, "_", "-"), days)
	m.out(n+"_log_group", "aws_cloudwatch_log_group."+n+".name", "Name of the "+n+" log group.")
}

func (m *modGen) alarm(b *bytes.Buffer) {
	n := m.id(m.pick("root_login", "unauthorized_calls", "console_without_mfa", "iam_changes"))
	fmt.Fprintf(b, `resource "aws_cloudwatch_metric_alarm" %[1]q {
  alarm_name          = "${local.name_prefix}-%[2]s"
  alarm_description   = "CIS 4.x: %[3]s"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  metric_name         = %[1]q
  namespace           = "CISBenchmark"
  period              = 300
  statistic           = "Sum"
  threshold           = 1
  alarm_actions       = [aws_sns_topic.%[1]s.arn]
  treat_missing_data  = "notBreaching"
}

resource "aws_sns_topic" %[1]q {
  name              = "${local.name_prefix}-%[2]s"
  kms_master_key_id = "alias/aws/sns"
}

`, n, strings.ReplaceAll(n, "_", "-"), strings.ReplaceAll(n, "_", " "))
	m.out(n+"_topic_arn", "aws_sns_topic."+n+".arn", "Topic the "+n+" alarm notifies.")
}

// --- serverless ---

func (m *modGen) lambda(b *bytes.Buffer) {
	n := m.id(m.pick("ingest", "resize", "notify", "export", "authorizer"))
	bad := m.insecure("lambda")
	runtime := m.pick("python3.12", "nodejs20.x", "provided.al2023")
	env := `      LOG_LEVEL  = "info"
      TABLE_NAME = aws_dynamodb_table.main.name`
	if bad {
		env += `
      API_TOKEN  = "sk_live_51HxQ2EXAMPLEKEY0000000000"`
	}
	fmt.Fprintf(b, `resource "aws_lambda_function" %[1]q {
  function_name = "${local.name_prefix}-%[2]s"
  description   = "Handles %[3]s events"
  role          = aws_iam_role.%[1]s_lambda.arn
  handler       = "main.handler"
  runtime       = %[4]q
  memory_size   = %[5]d
  timeout       = 30
  architectures = ["arm64"]

  s3_bucket = "${local.name_prefix}-artifacts"
  s3_key    = "lambda/%[2]s.zip"

  environment {
    variables = {
%[6]s
    }
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }

  tracing_config {
    mode = "Active"
  }

  tags = %[7]s
}

resource "aws_iam_role" "%[1]s_lambda" {
  name = "${local.name_prefix}-%[2]s-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "%[1]s_vpc" {
  role       = aws_iam_role.%[1]s_lambda.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_cloudwatch_log_group" "%[1]s_lambda" {
  name              = "/aws/lambda/${local.name_prefix}-%[2]s"
  retention_in_days = 30
}

resource "aws_lambda_permission" %[1]q {
  statement_id  = "AllowInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.%[1]s.function_name
  principal     = %[8]q
}

`, n, strings.ReplaceAll(n, "_", "-"), strings.ReplaceAll(n, "_", " "), runtime, 128<<m.r.Intn(4), env, tags(n),
		map[bool]string{true: "*", false: "events.amazonaws.com"}[bad])
	m.v("subnet_ids", "list(string)", "IDs of the subnets resources are placed in.", "")
	m.out(n+"_function_arn", "aws_lambda_function."+n+".arn", "ARN of the "+n+" function.")
}

func (m *modGen) queue(b *bytes.Buffer) {
	n := m.id(m.pick("jobs", "events", "emails"))
	bad := m.insecure("queue")
	fmt.Fprintf(b, `resource "aws_sqs_queue" %[1]q {
  name                       = "${local.name_prefix}-%[2]s"
  visibility_timeout_seconds = 180
  message_retention_seconds  = 1209600
  sqs_managed_sse_enabled    = %[3]t

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.%[1]s_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "%[1]s_dlq" {
  name                    = "${local.name_prefix}-%[2]s-dlq"
  sqs_managed_sse_enabled = true
}

resource "aws_lambda_event_source_mapping" %[1]q {
  event_source_arn = aws_sqs_queue.%[1]s.arn
  function_name    = aws_lambda_function.ingest.arn
  batch_size       = 10
}

`, n, strings.ReplaceAll(n, "_", "-"), !bad)
	m.out(n+"_queue_url", "aws_sqs_queue."+n+".url", "URL of the "+n+" queue.")
}

func (m *modGen) table(b *bytes.Buffer) {
	n := m.id("main")
	bad := m.insecure("table")
	fmt.Fprintf(b, `resource "aws_dynamodb_table" %[1]q {
  name         = "${local.name_prefix}-%[2]s"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = %[3]t
  }

  server_side_encryption {
    enabled = %[3]t
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  tags = %[4]s
}

`, n, strings.ReplaceAll(n, "_", "-"), !bad, tags(n))
	m.out(n+"_table_name", "aws_dynamodb_table."+n+".name", "Name of the "+n+" table.")
}

// camel turns snake_case into CamelCase: "ecr_push_3" is "EcrPush3".
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(s, "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
