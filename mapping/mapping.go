// Package mapping is the resource mapping: what each cloud service's resource types and
// properties mean in the model, as data. One row per service names its type in every format
// that can declare it (terraform: aws_sqs_queue, cloudformation: AWS::SQS::Queue), the kind of
// element it becomes, its technology, and each normalised attribute with its source path per
// format, its documented default (and the date the provider's default changed, when it did), a
// note, and a transform where the property's value is not the attribute's. Fixes are keyed by
// attribute and format: the operations that give an attribute its secure value.
//
// The rows are YAML files embedded in the binary (*.yaml beside this file). One mapper,
// Apply, reads any source through the Reader interface (a value and its span at a path), so
// that the Terraform and CloudFormation analyzers share every row: an AWS::S3::Bucket and an
// aws_s3_bucket become the same store with the same attributes. Go is for what the rows cannot
// say (companion resources, references, policies, network topology); it lives with the
// analyzers. The threat library reads the rows too, for the aliases of a type in other formats
// and for the fixes of an attribute.
package mapping

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/model"
)

// Formats that declare resources, the keys of a row's types and of a source's paths.
const (
	Terraform      = "terraform"
	CloudFormation = "cloudformation"
)

// Formats lists the formats in the order rows name them.
var Formats = []string{Terraform, CloudFormation}

//go:embed data/*.yaml
var builtin embed.FS

// Row maps one cloud service.
type Row struct {
	// ID names the service: provider.service.resource ("aws.sqs.queue"). Stable.
	ID string `yaml:"id"`
	// Terraform and CloudFormation are the service's resource types in each format; a format
	// may have several names for one service (aws_lb, aws_alb).
	Terraform      Names `yaml:"terraform"`
	CloudFormation Names `yaml:"cloudformation"`
	// Kind is the kind of element the resource becomes.
	Kind model.Kind `yaml:"kind"`
	// Technology and Category are set on every element of the row (an attribute of the same
	// name overrides them where its sources say more: an ElastiCache cluster's engine).
	Technology string `yaml:"technology"`
	Category   string `yaml:"category"`
	// Platform is set on components: what runs them (ec2, ecs, lambda, app-service, gke, …).
	Platform string `yaml:"platform"`
	// Note says what the row covers or leaves to Go, for people.
	Note string `yaml:"note"`
	// Docs is the provider's documentation of the resource.
	Docs string `yaml:"docs"`
	// Attrs are the normalised attributes, in the order they are read.
	Attrs Attrs `yaml:"attrs"`

	file string
}

// Names is one name or a list of them.
type Names []string

// UnmarshalYAML reads a scalar or a sequence of scalars.
func (n *Names) UnmarshalYAML(v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		*n = Names{v.Value}
		return nil
	case yaml.SequenceNode:
		var l []string
		if err := v.Decode(&l); err != nil {
			return err
		}
		*n = l
		return nil
	}
	return fmt.Errorf("line %d: want a type name or a list of them", v.Line)
}

// Attr maps one normalised attribute of a row.
type Attr struct {
	Name string `yaml:"-"`
	// Type is what the attribute holds: bool (the default), int, string, strings (a list of
	// strings) or map.
	Type string `yaml:"type"`
	// From are the places the value is read from, tried in order: the first present in the
	// source decides.
	From []Source `yaml:"from"`
	// When are defaults that depend on another property, tried in order before Default.
	When []Cond `yaml:"when"`
	// Default is the provider's documented value when no source is present; nil records
	// nothing. Since is the date ("2023-01") the provider's default became this value, when
	// it changed; Note explains the default to people.
	Default any    `yaml:"default"`
	Since   string `yaml:"since"`
	Note    string `yaml:"note"`
	// Fix are the operations, per format, that give the attribute its secure value. Values
	// and texts are templates over the element ({{.Label}}, {{.Name}}).
	Fix map[string][]model.FixOp `yaml:"fix"`
}

// Source is one place an attribute is read from, and how its value becomes the attribute's.
type Source struct {
	// Terraform and CloudFormation are the property's path in each format, dot-separated from
	// the resource's body (CloudFormation: from Properties). A format without a path does not
	// read this source. A path through a list reads its first item.
	Terraform      string `yaml:"terraform"`
	CloudFormation string `yaml:"cloudformation"`
	// If, when set, lists the values (strings compare without case) for which the source
	// decides; for any other value the next source is tried.
	// Transforms, applied in this order; at most one of Present, Value, Unknown, Is, Min,
	// Map, Transform.
	//   present: true    the attribute is true when the property is set (not null)
	//   value: X         the attribute is X when the property is set
	//   unknown: NOTE    the attribute is unknown (NOTE says why) when the property is set
	//   is: [A, B]       the attribute is whether the value is one of A, B (strings compare
	//                    without case)
	//   min: N           the attribute is whether the number is at least N
	//   map: {A: X}      the attribute is X when the value is A (without case), else Else
	//   transform: NAME  a named transform (see Transforms)
	//   not: true        negates the boolean result
	If        []any          `yaml:"if"`
	Present   bool           `yaml:"present"`
	Value     any            `yaml:"value"`
	Unknown   string         `yaml:"unknown"`
	Is        []any          `yaml:"is"`
	Min       *int64         `yaml:"min"`
	Map       map[string]any `yaml:"map"`
	Else      any            `yaml:"else"`
	Transform string         `yaml:"transform"`
	Not       bool           `yaml:"not"`
	// Note is added to the attribute's note when this source decides.
	Note string `yaml:"note"`
}

// Cond is a default that holds when a property has one of some values.
type Cond struct {
	Terraform      string `yaml:"terraform"`
	CloudFormation string `yaml:"cloudformation"`
	// Is lists the values (strings compare without case); empty means "is set".
	Is []any `yaml:"is"`
	// Then is the attribute's value, Note why.
	Then any    `yaml:"then"`
	Note string `yaml:"note"`
}

// Path returns the source's path in format, or "".
func (s *Source) Path(format string) string { return pathFor(format, s.Terraform, s.CloudFormation) }

// Path returns the condition's path in format, or "".
func (c *Cond) Path(format string) string { return pathFor(format, c.Terraform, c.CloudFormation) }

func pathFor(format, tf, cfn string) string {
	switch format {
	case Terraform:
		return tf
	case CloudFormation:
		return cfn
	}
	return ""
}

// Attrs are a row's attributes in the order written.
type Attrs []*Attr

// UnmarshalYAML reads a mapping from attribute name to its entry, keeping the order.
func (as *Attrs) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: attrs is a mapping from attribute name to its entry", v.Line)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		a := &Attr{}
		if err := strictDecode(v.Content[i+1], a); err != nil {
			return fmt.Errorf("attribute %s (line %d): %w", v.Content[i].Value, v.Content[i].Line, err)
		}
		a.Name = v.Content[i].Value
		*as = append(*as, a)
	}
	return nil
}

// Types returns the row's types in format.
func (r *Row) Types(format string) []string {
	switch format {
	case Terraform:
		return r.Terraform
	case CloudFormation:
		return r.CloudFormation
	}
	return nil
}

// Attr returns the row's attribute called name, or nil.
func (r *Row) Attr(name string) *Attr {
	for _, a := range r.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Provider is the cloud whose service the row maps: the first part of its ID (aws, azure,
// gcp, alicloud, oci). Every mapped element records it as its `cloud` attribute.
func (r *Row) Provider() string {
	p, _, _ := strings.Cut(r.ID, ".")
	return p
}

// ProviderOf returns the cloud a Terraform resource type belongs to by its prefix (aws_,
// azurerm_, google_, alicloud_, oci_), or "".
func ProviderOf(typ string) string {
	for prefix, p := range map[string]string{"aws_": "aws", "azurerm_": "azure", "google_": "gcp",
		"alicloud_": "alicloud", "oci_": "oci", "AWS::": "aws"} {
		if strings.HasPrefix(typ, prefix) {
			return p
		}
	}
	return ""
}

// File is the data file the row was loaded from.
func (r *Row) File() string { return r.file }

// Table is a loaded, immutable set of rows, safe for concurrent use.
type Table struct {
	rows []*Row
	// byType finds a row and the format by a type of any format.
	byType map[string]typed
}

type typed struct {
	row    *Row
	format string
}

// Rows returns every row, sorted by ID. The slice must not be modified.
func (t *Table) Rows() []*Row { return t.rows }

// Lookup returns the row of a resource type of format, or nil.
func (t *Table) Lookup(format, typ string) *Row {
	if x, ok := t.byType[typ]; ok && x.format == format {
		return x.row
	}
	return nil
}

// Of returns the row of a type of any format and that format, or nil and "".
func (t *Table) Of(typ string) (*Row, string) {
	x := t.byType[typ]
	return x.row, x.format
}

// Aliases returns the other types of typ's row, in every format: the names the same service
// has elsewhere (AWS::S3::Bucket for aws_s3_bucket). Nil for a type no row names.
func (t *Table) Aliases(typ string) []string {
	x, ok := t.byType[typ]
	if !ok {
		return nil
	}
	var out []string
	for _, f := range Formats {
		for _, n := range x.row.Types(f) {
			if n != typ {
				out = append(out, n)
			}
		}
	}
	return out
}

// Fix returns the operations that give attribute attr of an element of type typ its secure
// value, in typ's format; nil when the row has none.
func (t *Table) Fix(typ, attr string) []model.FixOp {
	x, ok := t.byType[typ]
	if !ok {
		return nil
	}
	a := x.row.Attr(attr)
	if a == nil {
		return nil
	}
	return a.Fix[x.format]
}

// TypesMapping returns the types, in every format, whose rows map all of attrs, sorted.
func (t *Table) TypesMapping(attrs ...string) []string {
	if len(attrs) == 0 {
		return nil
	}
	var out []string
	for typ, x := range t.byType {
		ok := true
		for _, a := range attrs {
			ok = ok && x.row.Attr(a) != nil
		}
		if ok {
			out = append(out, typ)
		}
	}
	sort.Strings(out)
	return out
}

// FixTypes returns the types, in every format, whose rows have a fix for attr, sorted.
func (t *Table) FixTypes(attr string) []string {
	var out []string
	for typ, x := range t.byType {
		if a := x.row.Attr(attr); a != nil && len(a.Fix[x.format]) > 0 {
			out = append(out, typ)
		}
	}
	sort.Strings(out)
	return out
}

var (
	defaultOnce  sync.Once
	defaultTable *Table
	defaultErr   error
)

// Default returns the built-in table, loaded once. A row that does not load is a bug a test
// catches; the other rows still work, and the error says which did not.
func Default() (*Table, error) {
	defaultOnce.Do(func() {
		var errs []error
		defaultTable, errs = Load(builtin, "data")
		defaultErr = errors.Join(errs...)
	})
	return defaultTable, defaultErr
}

// Builtin returns the built-in table, ignoring rows that do not load (Default reports them).
func Builtin() *Table {
	t, _ := Default()
	return t
}

// Load reads every .yaml file under dir of fsys. Rows that do not load are left out and
// reported.
func Load(fsys fs.FS, dir string) (*Table, []error) {
	t := &Table{byType: map[string]typed{}}
	var errs []error
	var names []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("resource mapping %s: %w", p, err))
			return nil
		}
		if !d.IsDir() && path.Ext(p) == ".yaml" {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("resource mapping %s: %w", dir, err))
	}
	sort.Strings(names)
	ids := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("resource mapping: %w", err))
			continue
		}
		var nodes []yaml.Node
		if err := yaml.Unmarshal(data, &nodes); err != nil {
			errs = append(errs, fmt.Errorf("resource mapping %s: %w", name, err))
			continue
		}
		for i := range nodes {
			r := &Row{}
			if err := strictDecode(&nodes[i], r); err != nil {
				errs = append(errs, fmt.Errorf("resource mapping %s: row at line %d: %w", name, nodes[i].Line, err))
				continue
			}
			r.file = name
			if err := r.validate(); err != nil {
				errs = append(errs, fmt.Errorf("resource mapping %s: %s: %w", name, r.ID, err))
				continue
			}
			if prev, dup := ids[r.ID]; dup {
				errs = append(errs, fmt.Errorf("resource mapping %s: %s is already defined in %s", name, r.ID, prev))
				continue
			}
			clash := ""
			for _, f := range Formats {
				for _, typ := range r.Types(f) {
					if prev, dup := t.byType[typ]; dup && clash == "" {
						clash = fmt.Sprintf("type %s is already mapped by %s", typ, prev.row.ID)
					}
				}
			}
			if clash != "" {
				errs = append(errs, fmt.Errorf("resource mapping %s: %s: %s", name, r.ID, clash))
				continue
			}
			ids[r.ID] = name
			t.rows = append(t.rows, r)
			for _, f := range Formats {
				for _, typ := range r.Types(f) {
					t.byType[typ] = typed{row: r, format: f}
				}
			}
		}
	}
	sort.Slice(t.rows, func(i, j int) bool { return t.rows[i].ID < t.rows[j].ID })
	return t, errs
}

// strictDecode decodes n into v, an unknown field being an error.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(\.[a-z0-9_-]+)+$`)
	datePattern = regexp.MustCompile(`^\d{4}-\d{2}(-\d{2})?$`)
	attrTypes   = map[string]bool{"": true, "bool": true, "int": true, "string": true, "strings": true, "map": true}
	kinds       = []model.Kind{model.Component, model.Store, model.Actor, model.Flow, model.Zone, model.Control}
	fixOps      = map[string]bool{"set": true, "replace": true, "append": true}
)

func (r *Row) validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !idPattern.MatchString(r.ID) {
		bad("id %q must look like aws.sqs.queue", r.ID)
	}
	if len(r.Terraform) == 0 && len(r.CloudFormation) == 0 {
		bad("a row names its type in at least one format")
	}
	if !slices.Contains(kinds, r.Kind) {
		bad("kind %q is not one of %v", r.Kind, kinds)
	}
	if r.Technology == "" {
		bad("technology is required")
	}
	seen := map[string]bool{}
	for _, a := range r.Attrs {
		if seen[a.Name] {
			bad("attribute %s is mapped twice", a.Name)
		}
		seen[a.Name] = true
		if err := a.validate(r); err != nil {
			bad("attribute %s: %v", a.Name, err)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func (a *Attr) validate(r *Row) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !attrTypes[a.Type] {
		bad("type %q is not bool, int, string, strings or map", a.Type)
	}
	if a.Since != "" && !datePattern.MatchString(a.Since) {
		bad("since %q is not a date (2023-01 or 2023-01-05)", a.Since)
	}
	if a.Since != "" && a.Default == nil {
		bad("since dates a default: the attribute has none")
	}
	if len(a.From) == 0 && a.Default == nil && len(a.When) == 0 {
		bad("nothing sets it: no source, no default")
	}
	for i, s := range a.From {
		n := 0
		for _, set := range []bool{s.Present, s.Value != nil, s.Unknown != "", s.Is != nil, s.Min != nil, s.Map != nil, s.Transform != ""} {
			if set {
				n++
			}
		}
		if n > 1 {
			bad("source %d has more than one of present, value, unknown, is, min, map, transform", i+1)
		}
		if s.Transform != "" && Transforms[s.Transform] == nil {
			bad("source %d: unknown transform %q", i+1, s.Transform)
		}
		if s.Terraform == "" && s.CloudFormation == "" {
			bad("source %d has no path", i+1)
		}
		if s.Terraform != "" && len(r.Terraform) == 0 || s.CloudFormation != "" && len(r.CloudFormation) == 0 {
			bad("source %d has a path in a format the row does not name", i+1)
		}
		if s.Else != nil && s.Map == nil {
			bad("source %d: else without map", i+1)
		}
	}
	for i, c := range a.When {
		if c.Terraform == "" && c.CloudFormation == "" {
			bad("when %d has no path", i+1)
		}
		if c.Then == nil {
			bad("when %d has no then", i+1)
		}
	}
	for f, ops := range a.Fix {
		if len(r.Types(f)) == 0 {
			bad("fix for %s, a format the row does not name", f)
		}
		for _, op := range ops {
			if !fixOps[op.Op] {
				bad("fix for %s: unknown op %q", f, op.Op)
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
