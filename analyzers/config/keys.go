package config

import (
	"regexp"

	"github.com/threatls/threatls/analyzers/yamlnode"
)

// threatls.yaml is committed with the repository: it must never hold the key of an AI
// endpoint, nor choose the endpoint a user's key is sent to. Both are refused with a message
// that says where they go instead.

var (
	// apiKeyName is a setting that holds an API key.
	apiKeyName = regexp.MustCompile(`(?i)^((openai|azure|azure_openai|llm|ai)[_-]?)?api[_-]?key$|^(openai|azure)[_-]?key$|^key[_-]?file$`)
	// apiKeyValue is a value that looks like an OpenAI-style key.
	apiKeyValue = regexp.MustCompile(`^sk-[A-Za-z0-9_-]{20,}$`)
)

const (
	aiSectionMessage = "threatls.yaml does not configure AI: the endpoint, model and key are your own settings " +
		"(the editor's threatls.ai settings, or OPENAI_BASE_URL, THREATLS_AI_MODEL and OPENAI_API_KEY), " +
		"so that a repository cannot choose where your key is sent"
	apiKeyMessage = "threatls.yaml must not hold an API key (%s): it would be committed with the repository. " +
		"Remove it, rotate the key, and set OPENAI_API_KEY or a keyFile outside the repository"
)

// refuseKeys reports every setting of n that holds an API key, and every value that looks
// like one, and remembers their keys so that they are not also reported as unknown.
func (r *reader) refuseKeys(n *yamlnode.Node, depth int) {
	if n == nil || depth > maxValueDepth {
		return
	}
	switch n.Kind {
	case yamlnode.Map:
		for _, p := range n.Pairs {
			if p.Key != nil && p.Key.Kind == yamlnode.Scalar && apiKeyName.MatchString(p.Key.Value) {
				r.problem(p.Key.Span, apiKeyMessage, p.Key.Value)
				r.refused[p.Key.Span.Start.Offset] = true
				continue
			}
			r.refuseKeys(p.Value, depth+1)
		}
	case yamlnode.Seq:
		for _, it := range n.Items {
			r.refuseKeys(it, depth+1)
		}
	case yamlnode.Scalar:
		if apiKeyValue.MatchString(n.Value) {
			r.problem(n.Span, apiKeyMessage, "a value that looks like a key")
		}
	}
}
