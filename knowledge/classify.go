package knowledge

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/threatls/threatls/model"
)

//go:embed classification.yaml
var classificationYAML []byte

// classRule is one heuristic of classification.yaml.
type classRule struct {
	Class          string   `yaml:"class"`
	Why            string   `yaml:"why"`
	Pattern        string   `yaml:"pattern"`
	Categories     []string `yaml:"categories"`      // matches stores of these categories
	AlsoCategories []string `yaml:"also_categories"` // …in addition to the pattern
	re             *regexp.Regexp
}

// Classifier guesses the classification of what a store holds (see classification.yaml).
// It is safe for concurrent use.
type Classifier struct {
	rules []classRule
	// seen remembers the answers by what they were read from (the category and the
	// texts): an edit before a store moves it and makes it anew, and matching the patterns
	// again cost a tenth of a keystroke in a large file.
	mu   sync.Mutex
	seen map[string][2]string
}

// maxSeen bounds Classifier.seen; it is emptied when full.
const maxSeen = 1 << 16

// BuiltinClassifier returns the heuristics embedded in the binary.
func BuiltinClassifier() (*Classifier, error) { return parseClassifier(classificationYAML) }

func parseClassifier(b []byte) (*Classifier, error) {
	var rules []classRule
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&rules); err != nil {
		return nil, fmt.Errorf("classification heuristics: %w", err)
	}
	for i := range rules {
		r := &rules[i]
		if model.ClassRank(r.Class) < 0 {
			return nil, fmt.Errorf("classification heuristics: %q is not one of %v", r.Class, model.Classifications)
		}
		if r.Pattern != "" {
			re, err := regexp.Compile(`(?i)(^|[^a-z0-9])` + r.Pattern + `([^a-z0-9]|$)`)
			if err != nil {
				return nil, fmt.Errorf("classification heuristics: %s: %w", r.Class, err)
			}
			r.re = re
		}
	}
	return &Classifier{rules: rules}, nil
}

// Classify returns the classification of a store and the note that explains it, or "".
// Components are not classified: they process data, stores hold it.
func (c *Classifier) Classify(el *model.Element) (string, string) {
	if c == nil || el.Kind != model.Store {
		return "", ""
	}
	texts := classTexts(el)
	category, _ := el.Attrs.At("category").Value.(string)
	key := category + "\x00" + strings.Join(texts, "\x00")
	c.mu.Lock()
	got, ok := c.seen[key]
	c.mu.Unlock()
	if !ok {
		got[0], got[1] = c.classify(category, texts)
		c.mu.Lock()
		if c.seen == nil || len(c.seen) >= maxSeen {
			c.seen = map[string][2]string{}
		}
		c.seen[key] = got
		c.mu.Unlock()
	}
	return got[0], got[1]
}

func (c *Classifier) classify(category string, texts []string) (string, string) {
	for _, r := range c.rules {
		if slices.Contains(r.Categories, category) || slices.Contains(r.AlsoCategories, category) {
			return r.Class, fmt.Sprintf("%s (a %s store; classification.yaml)", r.Why, category)
		}
		if r.re == nil {
			continue
		}
		for _, t := range texts {
			if m := r.re.FindStringSubmatch(t); m != nil {
				word := strings.Trim(m[0], " -_./:")
				return r.Class, fmt.Sprintf("%s: %q matches (classification.yaml); set it in threatls.yaml if wrong", r.Why, word)
			}
		}
	}
	return "", ""
}

// classTexts collects the names a store goes by: its name, aliases, data assets, tags and
// labels (keys and values), and the name-like attributes analyzers read (tables, buckets).
func classTexts(el *model.Element) []string {
	// The name without the type it starts with (aws_s3_bucket.logs): a type's words
	// (azurerm_storage_account) say nothing of the data.
	out := []string{strings.TrimPrefix(el.Name, el.Type+".")}
	for _, a := range el.Aliases {
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(a, "name:"), "image:"))
	}
	for _, k := range []string{"data", "tags", "labels", "bucket", "table", "tables", "queue", "identifier", "db_name"} {
		switch v := el.Attrs.At(k).Value.(type) {
		case string:
			out = append(out, v)
		case []any:
			for _, x := range v {
				out = append(out, fmt.Sprint(x))
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				out = append(out, k+" "+fmt.Sprint(v[k]))
			}
		}
	}
	return out
}
