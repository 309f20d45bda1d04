package terraform_test

import (
	"slices"
	"testing"

	"github.com/threatls/threatls/analyzers/terraform"
	"github.com/threatls/threatls/model"
)

// The forms of a VPC's main route table, and what a subnet's trust becomes with each.
func TestSubnetPublic(t *testing.T) {
	const vpc = "resource \"aws_vpc\" \"v\" {}\nresource \"aws_internet_gateway\" \"gw\" { vpc_id = aws_vpc.v.id }\n" +
		"resource \"aws_subnet\" \"s\" { vpc_id = aws_vpc.v.id }\n"
	for _, c := range []struct {
		name, src string
		public    any
		origin    model.Origin
		trust     string
	}{
		{"main table by association", vpc + `
resource "aws_route_table" "rt" {
  route {
    ipv6_cidr_block = "::/0"
    gateway_id      = aws_internet_gateway.gw.id
  }
}
resource "aws_main_route_table_association" "m" {
  vpc_id         = aws_vpc.v.id
  route_table_id = aws_route_table.rt.id
}
`, true, model.Read, "dmz"},
		{"route on the main table", vpc + `
resource "aws_route" "r" {
  route_table_id         = aws_vpc.v.main_route_table_id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = "igw-0abc"
}
`, true, model.Read, "dmz"},
		{"route to a NAT gateway", vpc + `
resource "aws_route" "r" {
  route_table_id         = aws_vpc.v.main_route_table_id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = "nat-0abc"
}
`, false, model.Defaulted, "internal"},
		{"association with a table of another module", vpc + `
variable "rt" {}
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.s.id
  route_table_id = var.rt
}
`, nil, model.Unknown, "internal"},
		{"VPC of a data source", `
data "aws_vpc" "v" {}
resource "aws_subnet" "s" { vpc_id = data.aws_vpc.v.id }
`, nil, model.Unknown, "internal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, els := link(t, "main.tf", []byte(c.src))
			s := els["aws_subnet.s"]
			if s == nil {
				t.Fatal("no subnet")
			}
			if p := s.Attrs.At("public"); p.Value != c.public || p.Origin != c.origin {
				t.Errorf("public = %v (%s), want %v (%s); note %q", p.Value, p.Origin, c.public, c.origin, p.Note)
			}
			if tr := s.Attrs.At("trust"); tr.Value != c.trust {
				t.Errorf("trust = %v, want %s", tr.Value, c.trust)
			}
			if c.name == "VPC of a data source" && (s.Parent != "" || s.Attrs.At("parent").Origin != 0) {
				t.Errorf("parent = %q: a data source is no element", s.Parent)
			}
		})
	}
}

// A store or component is known by its label and its literal name, so that a host named in
// another format (DATABASE_URL=postgres://orders-db:5432) finds it; a container image gives
// an image alias.
func TestAliases(t *testing.T) {
	facts, _ := workspace(t, "testdata/src/topology")
	byName := map[string]*model.Element{}
	for _, e := range terraform.New().Link(facts) {
		byName[e.Name] = e
	}
	for name, want := range map[string][]string{
		"aws_db_instance.orders":                     {model.NameAlias("orders"), model.NameAlias("orders-db")},
		"aws_ecs_service.api":                        {model.ImageAlias("ghcr.io/shop/api:1.4.2"), model.NameAlias("shop-api")},
		"aws_lambda_function.orders_api":             {model.NameAlias("orders-api")},
		"aws_elasticache_replication_group.sessions": {model.NameAlias("sessions")},
		"aws_lb.web":                                 {model.NameAlias("web"), model.NameAlias("shop-web")},
	} {
		e := byName[name]
		if e == nil {
			t.Errorf("no element %s", name)
			continue
		}
		for _, a := range want {
			if !slices.Contains(e.Aliases, a) {
				t.Errorf("%s: aliases %v lack %s", name, e.Aliases, a)
			}
		}
	}
	// VPCs and subnets are known by their labels and Name tags (a diagram's "private"
	// subgraph); flows and security groups by nothing.
	for _, e := range byName {
		vpcOrSubnet := e.Type == "aws_vpc" || e.Type == "aws_subnet"
		if (e.Kind == model.Flow || e.Kind == model.Zone && !vpcOrSubnet) && len(e.Aliases) > 0 {
			t.Errorf("%s (%s) has aliases %v", e.Name, e.Kind, e.Aliases)
		}
	}
	if a := byName["aws_subnet.private_a"].Aliases; !slices.Contains(a, model.NameAlias("private_a")) {
		t.Errorf("aws_subnet.private_a: aliases %v", a)
	}
	// Generic labels name nothing.
	_, els := link(t, "main.tf", []byte("resource \"aws_sqs_queue\" \"this\" {}\n"))
	if a := els["aws_sqs_queue.this"].Aliases; len(a) != 0 {
		t.Errorf("aliases of aws_sqs_queue.this = %v", a)
	}
}

// A service folds in the task definition it runs, however it names it; a task definition no
// service runs is a component of its own.
func TestTaskDefinitionFolded(t *testing.T) {
	const td = `resource "aws_ecs_task_definition" "t" {
  family                = "shop"
  container_definitions = jsonencode([{ name = "a", image = "shop/a:1" }])
}
resource "aws_ecs_task_definition" "lone" {
  family                = "lone"
  container_definitions = "[{\"name\": \"b\", \"image\": \"shop/b\", \"privileged\": true}]"
}
`
	for _, ref := range []string{`aws_ecs_task_definition.t.arn`, `"shop:3"`,
		`"${aws_ecs_task_definition.t.family}:${aws_ecs_task_definition.t.revision}"`} {
		_, els := link(t, "main.tf", []byte(td+"resource \"aws_ecs_service\" \"s\" { task_definition = "+ref+" }\n"))
		if els["aws_ecs_task_definition.t"] != nil {
			t.Errorf("%s: the task definition is an element of its own", ref)
		}
		if img := els["aws_ecs_service.s"].Attrs.At("image"); img.Value != "shop/a:1" {
			t.Errorf("%s: image = %+v", ref, img)
		}
		lone := els["aws_ecs_task_definition.lone"]
		if lone == nil || lone.Kind != model.Component || lone.Attrs.At("privileged").Value != true ||
			lone.Attrs.At("image_pinned").Value != false {
			t.Errorf("%s: lone task definition = %+v", ref, lone)
		}
	}
}
