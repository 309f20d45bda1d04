package dockerfile

import "testing"

// TestPipeShell checks what counts as running a download unverified.
func TestPipeShell(t *testing.T) {
	for cmd, want := range map[string]bool{
		"curl -fsSL https://x/install.sh | sh":                            true,
		"wget -qO- https://install.python-poetry.org | python3 -":         true,
		"curl -sL https://deb.nodesource.com/setup_20.x | sudo -E bash -": true,
		`sh -c "$(curl -fsSL https://x/i.sh)"`:                            true,
		"bash <(curl -s https://x/i.sh)":                                  true,
		"curl -fsSLo /tmp/i.sh https://x/i.sh && sha256sum -c i.sum":      false,
		"curl https://x/data.json | jq .version":                          false,
	} {
		if got := pipeShell.MatchString(cmd); got != want {
			t.Errorf("%s: %v, want %v", cmd, got, want)
		}
	}
}
