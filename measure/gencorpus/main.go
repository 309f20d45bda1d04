// Command gencorpus writes the multi-cloud measurement corpus (measure/README.md): stacks of
// Terraform root modules that call shared modules with their own inputs, with .tfvars files,
// companion resources, AWS, Azure and Google Cloud side by side, CloudFormation templates and
// Kubernetes manifests — secure and insecure choices drawn from a fixed seed, so that the
// corpus is the same on every run. Usage: go run ./measure/gencorpus DIR [STACKS].
package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
)

// stack is one root module and what it chooses.
type stack struct {
	N                                                     int
	Name, Env, Region                                     string
	Cloud                                                 string // aws, azure, gcp, multi
	PublicBucket, Encrypted, Versioned, Logged, PAB       bool
	OpenSSH, OpenDB, IMDS, PublicDB, Backups, DelProt     bool
	WildcardIAM, AdminUser, KMSRotation, Trail, EKSOpen   bool
	HTTPS, TLS12, NetRestricted, Purge, AKSLocal, Uniform bool
	GKELegacy, SQLPublicIP, SQLSSL, FirewallOpen, CFN     bool
	K8sRoot, K8sLimits, K8sLatest, Lambdas                bool
	Services                                              []string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus DIR [STACKS]")
		os.Exit(2)
	}
	dir := os.Args[1]
	n := 12
	if len(os.Args) > 2 {
		n, _ = strconv.Atoi(os.Args[2])
	}
	r := rand.New(rand.NewSource(20251206))
	b := func(p float64) bool { return r.Float64() < p }
	clouds := []string{"aws", "aws", "azure", "gcp", "multi", "aws"}
	envs := []string{"dev", "staging", "prod"}
	names := []string{"shop", "billing", "search", "media", "identity", "analytics", "support", "catalog", "payments", "logistics", "crm", "reports"}
	for _, f := range modules {
		write(filepath.Join(dir, "modules", f.path), f.text, nil)
	}
	for i := 0; i < n; i++ {
		s := stack{N: i, Name: names[i%len(names)], Env: envs[i%3], Region: "eu-west-1", Cloud: clouds[i%len(clouds)],
			PublicBucket: b(0.25), Encrypted: b(0.6), Versioned: b(0.5), Logged: b(0.4), PAB: b(0.6),
			OpenSSH: b(0.3), OpenDB: b(0.15), IMDS: b(0.5), PublicDB: b(0.2), Backups: b(0.7), DelProt: b(0.5),
			WildcardIAM: b(0.3), AdminUser: b(0.15), KMSRotation: b(0.5), Trail: b(0.5), EKSOpen: b(0.5),
			HTTPS: b(0.6), TLS12: b(0.7), NetRestricted: b(0.4), Purge: b(0.5), AKSLocal: b(0.6), Uniform: b(0.5),
			GKELegacy: b(0.2), SQLPublicIP: b(0.5), SQLSSL: b(0.5), FirewallOpen: b(0.35), CFN: b(0.5),
			K8sRoot: b(0.5), K8sLimits: b(0.5), K8sLatest: b(0.3), Lambdas: b(0.5),
			Services: []string{"api", "web", "worker"}}
		root := filepath.Join(dir, fmt.Sprintf("%02d-%s-%s", i, s.Name, s.Env))
		for _, f := range stackFiles {
			if f.cloud != "" && f.cloud != s.Cloud && !(s.Cloud == "multi" && f.cloud != "cfn") {
				if !(f.cloud == "cfn" && s.CFN) {
					continue
				}
			}
			write(filepath.Join(root, f.path), f.text, s)
		}
	}
}

func write(path, text string, data any) {
	t := template.Must(template.New(path).Parse(text))
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		panic(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		panic(err)
	}
}

type file struct{ path, text, cloud string }

var modules = []file{
	{path: "aws-network/main.tf", text: `variable "name" {}
variable "cidr" { default = "10.0.0.0/16" }
variable "admin_cidrs" { default = ["10.0.0.0/8"] }
variable "open_ssh" { default = false }

resource "aws_vpc" "this" {
  cidr_block = var.cidr
  tags       = { Name = var.name }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr, 8, 0)
  map_public_ip_on_launch = true
}

resource "aws_subnet" "private" {
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, 1)
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name   = "${var.name}-web"
  vpc_id = aws_vpc.this.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.open_ssh ? ["0.0.0.0/0"] : var.admin_cidrs
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name   = "${var.name}-db"
  vpc_id = aws_vpc.this.id
}

resource "aws_security_group_rule" "db_from_web" {
  type                     = "ingress"
  security_group_id        = aws_security_group.db.id
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.web.id
}

resource "aws_security_group_rule" "db_from_vpc" {
  type              = "ingress"
  security_group_id = aws_security_group.db.id
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = [aws_vpc.this.cidr_block]
}

output "vpc_id" { value = aws_vpc.this.id }
output "public_subnet" { value = aws_subnet.public.id }
output "private_subnet" { value = aws_subnet.private.id }
output "web_sg" { value = aws_security_group.web.id }
output "db_sg" { value = aws_security_group.db.id }
`},
	{path: "aws-data/main.tf", text: `variable "name" {}
variable "encrypted" { default = true }
variable "versioned" { default = true }
variable "public_db" { default = false }
variable "backups" { default = 7 }
variable "deletion_protection" { default = true }
variable "subnet_ids" { default = [] }
variable "security_group_ids" { default = [] }

resource "aws_kms_key" "data" {
  description         = "${var.name} data"
  enable_key_rotation = var.encrypted
}

resource "aws_s3_bucket" "data" {
  bucket = "${var.name}-data"
}

resource "aws_s3_bucket_versioning" "data" {
  count  = var.versioned ? 1 : 0
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  count  = var.encrypted ? 1 : 0
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_db_instance" "orders" {
  identifier              = "${var.name}-orders"
  engine                  = "postgres"
  engine_version          = "15.4"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  storage_encrypted       = var.encrypted
  kms_key_id              = var.encrypted ? aws_kms_key.data.arn : null
  publicly_accessible     = var.public_db
  backup_retention_period = var.backups
  deletion_protection     = var.deletion_protection
  db_subnet_group_name    = aws_db_subnet_group.this.name
  vpc_security_group_ids  = var.security_group_ids
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "${var.name}-cache"
  description                = "sessions"
  node_type                  = "cache.t3.micro"
  at_rest_encryption_enabled = var.encrypted
  transit_encryption_enabled = var.encrypted
  security_group_ids         = var.security_group_ids
}

resource "aws_sqs_queue" "jobs" {
  name                    = "${var.name}-jobs"
  sqs_managed_sse_enabled = var.encrypted
}

resource "aws_sns_topic" "events" {
  name              = "${var.name}-events"
  kms_master_key_id = var.encrypted ? "alias/aws/sns" : null
}

resource "aws_dynamodb_table" "sessions" {
  name     = "${var.name}-sessions"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = var.backups > 0
  }
}

resource "aws_secretsmanager_secret" "db" {
  name       = "${var.name}/db"
  kms_key_id = aws_kms_key.data.arn
}

output "bucket" { value = aws_s3_bucket.data.bucket }
output "db_endpoint" { value = aws_db_instance.orders.endpoint }
output "queue_url" { value = aws_sqs_queue.jobs.url }
`},
	{path: "aws-app/main.tf", text: `variable "name" {}
variable "subnet_id" {}
variable "security_group_ids" { default = [] }
variable "imdsv2" { default = true }
variable "bucket" {}

data "aws_iam_policy_document" "app" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::${var.bucket}/*"]
  }
  statement {
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.name}-app"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

resource "aws_instance" "app" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.small"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = var.security_group_ids
  metadata_options {
    http_tokens = var.imdsv2 ? "required" : "optional"
  }
  root_block_device {
    encrypted = true
  }
}

resource "aws_lb" "web" {
  name               = "${var.name}-web"
  load_balancer_type = "application"
  subnets            = [var.subnet_id]
  security_groups    = var.security_group_ids
}

resource "aws_lb_target_group" "web" {
  name     = "${var.name}-web"
  port     = 8080
  protocol = "HTTP"
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
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

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_target_group_attachment" "app" {
  target_group_arn = aws_lb_target_group.web.arn
  target_id        = aws_instance.app.id
}
`},
	{path: "azure-app/main.tf", text: `variable "name" {}
variable "https_only" { default = true }
variable "min_tls" { default = "1.2" }

resource "azurerm_service_plan" "this" {
  name                = var.name
  resource_group_name = "${var.name}-rg"
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "api" {
  name                = "${var.name}-api"
  resource_group_name = "${var.name}-rg"
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.this.id
  https_only          = var.https_only
  identity {
    type = "SystemAssigned"
  }
  site_config {
    minimum_tls_version = var.min_tls
    ftps_state          = "Disabled"
  }
}

resource "azurerm_linux_function_app" "jobs" {
  name                       = "${var.name}-jobs"
  resource_group_name        = "${var.name}-rg"
  location                   = "westeurope"
  service_plan_id            = azurerm_service_plan.this.id
  storage_account_name       = "${var.name}fn"
  https_only                 = var.https_only
  site_config {}
}
`},
	{path: "gcp-app/main.tf", text: `variable "name" {}
variable "project" {}
variable "public_ip" { default = false }

resource "google_service_account" "app" {
  account_id = "${var.name}-app"
}

resource "google_compute_instance" "app" {
  name         = "${var.name}-app"
  machine_type = "e2-medium"
  zone         = "europe-west1-b"
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
    dynamic "access_config" {
      for_each = var.public_ip ? [1] : []
      content {}
    }
  }
  shielded_instance_config {
    enable_secure_boot = true
  }
  service_account {
    email  = google_service_account.app.email
    scopes = ["cloud-platform"]
  }
}

resource "google_project_iam_member" "app_logs" {
  project = var.project
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.app.email}"
}
`},
}

var stackFiles = []file{
	{path: "variables.tf", text: `variable "env" { default = "dev" }
variable "region" { default = "{{.Region}}" }
variable "admin_cidrs" {
  type    = list(string)
  default = ["10.10.0.0/16"]
}
`},
	{path: "terraform.tfvars", text: `env = "{{.Env}}"
`},
	{path: "aws.tf", cloud: "aws", text: awsStack},
	{path: "azure.tf", cloud: "azure", text: azureStack},
	{path: "gcp.tf", cloud: "gcp", text: gcpStack},
	{path: "cfn/stack.yaml", cloud: "cfn", text: cfnStack},
	{path: "k8s/deployment.yaml", text: k8sStack},
}

const awsStack = `provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "dr"
  region = "eu-central-1"
}

locals {
  name = "{{.Name}}-${var.env}"
  tags = merge({ team = "{{.Name}}" }, { env = var.env })
}

module "network" {
  source      = "../modules/aws-network"
  name        = local.name
  admin_cidrs = var.admin_cidrs
  open_ssh    = {{.OpenSSH}}
}

module "data" {
  source              = "../modules/aws-data"
  name                = local.name
  encrypted           = {{.Encrypted}}
  versioned           = {{.Versioned}}
  public_db           = {{.PublicDB}}
  backups             = {{if .Backups}}7{{else}}0{{end}}
  deletion_protection = {{.DelProt}}
  subnet_ids          = [module.network.private_subnet]
  security_group_ids  = [module.network.db_sg]
}

module "app" {
  source             = "../modules/aws-app"
  name               = local.name
  subnet_id          = module.network.public_subnet
  security_group_ids = [module.network.web_sg]
  imdsv2             = {{.IMDS}}
  bucket             = module.data.bucket
}

resource "aws_s3_bucket" "assets" {
  bucket = "${local.name}-assets"
  tags   = local.tags
}
{{if .PublicBucket}}
resource "aws_s3_bucket_acl" "assets" {
  bucket = aws_s3_bucket.assets.id
  acl    = "public-read"
}
{{end}}{{if .PAB}}
resource "aws_s3_bucket_public_access_block" "assets" {
  bucket                  = aws_s3_bucket.assets.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
{{end}}
resource "aws_s3_bucket" "logs" {
  bucket = "${local.name}-logs"
}
{{if .Logged}}
resource "aws_s3_bucket_logging" "assets" {
  bucket        = aws_s3_bucket.assets.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "assets/"
}
{{end}}{{if .Trail}}
resource "aws_cloudtrail" "main" {
  name                       = local.name
  s3_bucket_name             = aws_s3_bucket.logs.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
}
{{end}}
resource "aws_security_group" "admin" {
  name   = "${local.name}-admin"
  vpc_id = module.network.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.admin.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = {{if .OpenDB}}"0.0.0.0/0"{{else}}"10.10.0.0/16"{{end}}
}

data "aws_iam_policy_document" "ops" {
  statement {
    actions   = [{{if .WildcardIAM}}"ec2:*"{{else}}"ec2:DescribeInstances"{{end}}]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "ops" {
  name   = "${local.name}-ops"
  policy = data.aws_iam_policy_document.ops.json
}

resource "aws_iam_user" "deployer" {
  name = "${local.name}-deployer"
}
{{if .AdminUser}}
resource "aws_iam_user_policy_attachment" "deployer" {
  user       = aws_iam_user.deployer.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
{{end}}
resource "aws_eks_cluster" "main" {
  name     = local.name
  role_arn = "arn:aws:iam::123456789012:role/eks"
  vpc_config {
    subnet_ids             = [module.network.private_subnet]
    endpoint_public_access = {{.EKSOpen}}
  }
}

resource "aws_ecr_repository" "api" {
  name = "${local.name}/api"
  image_scanning_configuration {
    scan_on_push = {{.Versioned}}
  }
}
{{if .Lambdas}}
resource "aws_lambda_function" "thumbs" {
  function_name = "${local.name}-thumbs"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  environment {
    variables = {
      BUCKET      = aws_s3_bucket.assets.bucket
      API_TOKEN   = "{{if .Encrypted}}{{"{{"}}resolve:ssm:token{{"}}"}}{{else}}tok_live_8a7d6f5e4c3b{{end}}"
    }
  }
}

resource "aws_lambda_function_url" "thumbs" {
  function_name      = aws_lambda_function.thumbs.function_name
  authorization_type = "NONE"
}
{{end}}
resource "aws_kms_key" "ops" {
  description         = "ops"
  enable_key_rotation = {{.KMSRotation}}
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 50
  encrypted         = {{.Encrypted}}
}
`

const azureStack = `provider "azurerm" {
  features {}
}

locals {
  name = "{{.Name}}${var.env}"
}

module "app" {
  source     = "../modules/azure-app"
  name       = local.name
  https_only = {{.HTTPS}}
  min_tls    = {{if .TLS12}}"1.2"{{else}}"1.0"{{end}}
}

resource "azurerm_storage_account" "data" {
  name                     = "${local.name}data"
  resource_group_name      = "${local.name}-rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  min_tls_version          = {{if .TLS12}}"TLS1_2"{{else}}"TLS1_0"{{end}}
{{if .NetRestricted}}  network_rules {
    default_action = "Deny"
    ip_rules       = ["203.0.113.0/24"]
  }
{{end}}}

resource "azurerm_storage_container" "uploads" {
  name                  = "uploads"
  storage_account_name  = azurerm_storage_account.data.name
  container_access_type = {{if .PublicBucket}}"blob"{{else}}"private"{{end}}
}

resource "azurerm_mssql_server" "sql" {
  name                         = "${local.name}-sql"
  resource_group_name          = "${local.name}-rg"
  location                     = "westeurope"
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = var.sql_password
  minimum_tls_version          = "1.2"
}

variable "sql_password" {
  sensitive = true
}

resource "azurerm_mssql_firewall_rule" "clients" {
  name             = "clients"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = {{if .OpenDB}}"0.0.0.0"{{else}}"203.0.113.1"{{end}}
  end_ip_address   = {{if .OpenDB}}"255.255.255.255"{{else}}"203.0.113.254"{{end}}
}

resource "azurerm_key_vault" "main" {
  name                     = "${local.name}-kv"
  location                 = "westeurope"
  resource_group_name      = "${local.name}-rg"
  tenant_id                = "00000000-0000-0000-0000-000000000000"
  sku_name                 = "standard"
  purge_protection_enabled = {{.Purge}}
}

resource "azurerm_key_vault_secret" "sql" {
  name         = "sql-password"
  value        = var.sql_password
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_network_security_group" "web" {
  name                = "${local.name}-web"
  location            = "westeurope"
  resource_group_name = "${local.name}-rg"
  security_rule {
    name                       = "https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
  security_rule {
    name                       = "ssh"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = {{if .OpenSSH}}"*"{{else}}"10.10.0.0/16"{{end}}
    destination_address_prefix = "*"
  }
}

resource "azurerm_kubernetes_cluster" "main" {
  name                   = "${local.name}-aks"
  location               = "westeurope"
  resource_group_name    = "${local.name}-rg"
  dns_prefix             = local.name
  local_account_disabled = {{not .AKSLocal}}
  default_node_pool {
    name       = "default"
    node_count = 2
    vm_size    = "Standard_D2s_v3"
  }
  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_redis_cache" "cache" {
  name                = "${local.name}-cache"
  location            = "westeurope"
  resource_group_name = "${local.name}-rg"
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
  non_ssl_port_enabled = {{not .HTTPS}}
}

resource "azurerm_container_registry" "acr" {
  name                = "${local.name}acr"
  resource_group_name = "${local.name}-rg"
  location            = "westeurope"
  sku                 = "Standard"
  admin_enabled       = {{.AdminUser}}
}
`

const gcpStack = `provider "google" {
  project = "{{.Name}}-${var.env}"
  region  = "europe-west1"
}

locals {
  name    = "{{.Name}}-${var.env}"
  project = "{{.Name}}-${var.env}"
}

module "app" {
  source    = "../modules/gcp-app"
  name      = local.name
  project   = local.project
  public_ip = {{.SQLPublicIP}}
}

resource "google_storage_bucket" "data" {
  name                        = "${local.name}-data"
  location                    = "EU"
  uniform_bucket_level_access = {{.Uniform}}
  versioning {
    enabled = {{.Versioned}}
  }
}
{{if .PublicBucket}}
resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}
{{end}}
resource "google_sql_database_instance" "db" {
  name             = "${local.name}-db"
  database_version = "POSTGRES_15"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled = {{.SQLPublicIP}}
      ssl_mode     = {{if .SQLSSL}}"ENCRYPTED_ONLY"{{else}}"ALLOW_UNENCRYPTED_AND_ENCRYPTED"{{end}}
{{if .OpenDB}}      authorized_networks {
        name  = "anyone"
        value = "0.0.0.0/0"
      }
{{end}}    }
    backup_configuration {
      enabled = {{.Backups}}
    }
  }
}

resource "google_container_cluster" "main" {
  name               = "${local.name}-gke"
  location           = "europe-west1"
  enable_legacy_abac = {{.GKELegacy}}
  network_policy {
    enabled = {{.NetRestricted}}
  }
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }
}

resource "google_compute_firewall" "ssh" {
  name          = "${local.name}-ssh"
  network       = "default"
  source_ranges = [{{if .FirewallOpen}}"0.0.0.0/0"{{else}}"35.235.240.0/20"{{end}}]
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_project_iam_member" "ci" {
  project = local.project
  role    = {{if .WildcardIAM}}"roles/editor"{{else}}"roles/run.developer"{{end}}
  member  = "serviceAccount:ci@${local.project}.iam.gserviceaccount.com"
}

resource "google_kms_crypto_key" "data" {
  name            = "data"
  key_ring        = "projects/${local.project}/locations/europe/keyRings/main"
{{if .KMSRotation}}  rotation_period = "7776000s"
{{end}}}

resource "google_dns_managed_zone" "public" {
  name     = "${local.name}-zone"
  dns_name = "{{.Name}}.example.com."
}
`

const cfnStack = `AWSTemplateFormatVersion: "2010-09-09"
Description: {{.Name}} serverless edge
Parameters:
  Env:
    Type: String
    Default: {{.Env}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "{{.Name}}-${Env}-uploads"
{{if .Versioned}}      VersioningConfiguration:
        Status: Enabled
{{end}}{{if .PAB}}      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        BlockPublicPolicy: true
        IgnorePublicAcls: true
        RestrictPublicBuckets: true
{{end}}  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: !If [IsProd, true, {{.Backups}}]
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: {{.Encrypted}}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      AllocatedStorage: "20"
      StorageEncrypted: {{.Encrypted}}
      PubliclyAccessible: {{.PublicDB}}
      DeletionProtection: !If [IsProd, true, false]
      BackupRetentionPeriod: {{if .Backups}}7{{else}}0{{end}}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: {{if .OpenSSH}}0.0.0.0/0{{else}}10.0.0.0/8{{end}}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "def handler(e, c): return"}
      Environment:
        Variables:
          TABLE: !Ref Table
          DB_PASSWORD: {{if .Encrypted}}"{{"{{"}}resolve:secretsmanager:db{{"}}"}}"{{else}}"s3cr3t-passw0rd"{{end}}
  FnUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Fn.Arn
      AuthType: {{if .HTTPS}}AWS_IAM{{else}}NONE{{end}}
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: {{.KMSRotation}}
`

const k8sStack = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{.Name}}-api
  labels: {app: {{.Name}}-api}
spec:
  replicas: 2
  selector:
    matchLabels: {app: {{.Name}}-api}
  template:
    metadata:
      labels: {app: {{.Name}}-api}
    spec:
      containers:
        - name: api
          image: registry.example.com/{{.Name}}/api:{{if .K8sLatest}}latest{{else}}1.4.2{{end}}
          ports: [{containerPort: 8080}]
          securityContext:
            runAsNonRoot: {{not .K8sRoot}}
            readOnlyRootFilesystem: true
{{if .K8sLimits}}          resources:
            limits: {cpu: "500m", memory: "256Mi"}
            requests: {cpu: "100m", memory: "128Mi"}
{{end}}---
apiVersion: v1
kind: Service
metadata:
  name: {{.Name}}-api
spec:
  type: LoadBalancer
  selector: {app: {{.Name}}-api}
  ports: [{port: 443, targetPort: 8080}]
`
