// Package cloudformation reads AWS CloudFormation templates — YAML (with the short forms
// !Ref, !Sub, !GetAtt, !If, !Join, … and unknown tags tolerated) and JSON — and AWS SAM
// templates into the model. A resource becomes the element its row of the resource mapping
// (package mapping) says, with the same attributes an aws_* resource of Terraform gets, so
// that the same threats fire; the Go here is for what rows cannot say: bucket policies,
// IAM policies, security group rules, listeners, function environments and URLs, SAM events,
// secret rotation.
//
// Intrinsic functions are evaluated where their inputs are literal: parameters' defaults,
// mappings, conditions made of those; a resource whose Condition is false is not deployed and
// yields nothing. What only the deployment knows (a resource's ID, an attribute, a parameter
// without default, an export of another stack) is unknown, and a threat that depends on it is
// tentative.
//
// A template stands alone: Extract builds its elements and Link returns them unchanged.
// Suppressions are `# threatls:ignore ID reason` comments (YAML) or, in either syntax, a
// resource's Metadata: `threatls: {ignore: ["ID reason"]}`. Fix sets properties, in the
// file's own syntax.
package cloudformation

import (
	"bytes"
	"path"
	"regexp"
	"strings"

	"github.com/threatls/threatls/analyzers"
	"github.com/threatls/threatls/analyzers/parse"
	"github.com/threatls/threatls/model"
)

// Name is the analyzer's name: the Format of its facts and the prefix of its element IDs.
const Name = "cloudformation"

// Analyzer reads CloudFormation templates. The zero value is ready to use and safe for
// concurrent use.
type Analyzer struct{}

// New returns the CloudFormation analyzer.
func New() analyzers.Analyzer { return Analyzer{} }

var _ analyzers.Analyzer = Analyzer{}

// Name returns "cloudformation".
func (Analyzer) Name() string { return Name }

// Lang returns parse.Plain: templates are decoded by yamlnode (JSON is YAML).
func (Analyzer) Lang() parse.Lang { return parse.Plain }

// nameWord matches the names that say a file is a template: cfn or cloudformation as a word
// of the name, or the name "template" (SAM's default).
var nameWord = regexp.MustCompile(`(^|[._-])(cfn|cloudformation|sam)([._-]|$)|^template$|[._-]template$`)

// Match reports whether p is a CloudFormation template by its name: a .template file, or a
// YAML or JSON file whose name has the word cfn, cloudformation or sam, is called template
// (SAM's default) or ends in .template.yaml, or that sits in a directory called
// cloudformation or cfn. For a document without a path, the editor's language must be
// cloudformation. Templates with other names are recognised by their content (Sniff): the
// engine gives the analyzer any .yaml, .yml or .json file its content says is a template.
func (Analyzer) Match(p, languageID string) bool {
	if p == "" || model.IsURI(p) {
		switch languageID {
		case "cloudformation", "cfn":
			return true
		}
		if p == "" {
			return false
		}
	}
	base := strings.ToLower(path.Base(p))
	ext := path.Ext(base)
	if ext == ".template" {
		return true
	}
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return false
	}
	stem := strings.TrimSuffix(base, ext)
	if nameWord.MatchString(stem) {
		return true
	}
	for _, dir := range strings.Split(strings.ToLower(path.Dir(p)), "/") {
		if dir == "cloudformation" || dir == "cfn" {
			return true
		}
	}
	return false
}

// A template's own keys are at the top of the document: in YAML at the start of a line (a
// ConfigMap that holds a template, or serverless.yml's resources:, indents them).
var (
	formatVersion = regexp.MustCompile(`(?m)(^AWSTemplateFormatVersion\s*:|"AWSTemplateFormatVersion"\s*:)`)
	samTransform  = regexp.MustCompile(`(?m)(^Transform|"Transform")\s*:.*AWS::Serverless`)
	resourceType  = regexp.MustCompile(`(?m)(^\s*Type\s*:\s*["']?|"Type"\s*:\s*")(AWS|Alexa)::[A-Za-z0-9]+::[A-Za-z0-9]+`)
	resourcesKey  = regexp.MustCompile(`(?m)(^Resources\s*:|"Resources"\s*:)`)
)

// Sniff reports whether src, the text of a YAML or JSON file, is a CloudFormation template by
// its content: it has AWSTemplateFormatVersion, the SAM transform, or Resources with a Type
// of the AWS:: namespace and no apiVersion. Only the first analyzers.SniffLen bytes are read.
func Sniff(src []byte) bool {
	if len(src) > analyzers.SniffLen {
		src = src[:analyzers.SniffLen]
	}
	// Each expression is tried only where its literal is (a load sniffs every manifest, and
	// the expressions, tried on each, were 3% of a load of 5,000 files).
	if bytes.Contains(src, []byte("AWSTemplateFormatVersion")) && formatVersion.Match(src) ||
		bytes.Contains(src, []byte("AWS::Serverless")) && samTransform.Match(src) {
		return true
	}
	return bytes.Contains(src, []byte("Resources")) && bytes.Contains(src, []byte("::")) &&
		!bytes.Contains(src, []byte("apiVersion")) && resourcesKey.Match(src) && resourceType.Match(src)
}

// Sniffs reports whether a file may be a template by content: a .yaml, .yml, .json or
// .template file (AWS's own samples are called *.template), or a document without a path (an
// untitled buffer), which its name cannot place.
func (Analyzer) Sniffs(p string) bool {
	if p == "" || model.IsURI(p) {
		return true
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json", ".template":
		return true
	}
	return false
}

// Sniff reports whether head is a CloudFormation template by its content (see Sniff).
func (Analyzer) Sniff(_ string, head []byte) bool { return Sniff(head) }

var _ analyzers.Sniffer = Analyzer{}

// Comment returns a YAML line comment holding text.
func (Analyzer) Comment(text string) string { return "# " + text }

// CommentAt returns a YAML comment holding text; in a JSON template, which has no comments,
// it returns "": a suppression goes in the resource's Metadata there (see the package doc).
func (Analyzer) CommentAt(src []byte, file string, _ int, text string) string {
	if isJSON(src, file) {
		return ""
	}
	return "# " + text
}

// isJSON reports whether a template is written in JSON.
func isJSON(src []byte, file string) bool {
	if strings.HasSuffix(strings.ToLower(file), ".json") {
		return true
	}
	t := bytes.TrimLeft(src, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{'
}

// Link returns the elements of every template, unchanged: a template stands alone.
func (Analyzer) Link(files []*model.FileFacts) []*model.Element {
	return analyzers.FileElements(files, Name)
}
