package cloud

import "github.com/threatls/threatls/analyzers/container"

// SecretVar reports whether an environment variable called name with value v holds a secret
// in plain text: a secret-looking name with a value that is not empty, or an address with
// credentials (container.SecretName and container.Parse, as for manifests and compose files).
func SecretVar(name string, v any) bool {
	s, isStr := v.(string)
	if container.SecretName(name) && !(isStr && s == "") && v != nil {
		return true
	}
	if !isStr {
		return false
	}
	ep, ok := container.Parse(name, s)
	return ok && ep.Password != "" && !container.Interpolated(ep.Password)
}
