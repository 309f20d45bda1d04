package lsp

import (
	"strings"
	"testing"

	"github.com/threatls/threatls/engine"
	"github.com/threatls/threatls/model"
)

func TestApplySettings(t *testing.T) {
	base := prefs{cfg: engine.DefaultConfig()}
	for _, c := range []struct {
		raw  string
		want int64
	}{
		{`{"threatls":{"maxFileSize":42}}`, 42},
		{`{"maxFileSize":43}`, 43},
		{`null`, base.cfg.MaxFileSize},
		{`{"threatls":null}`, base.cfg.MaxFileSize},
		{`{"other":{"maxFileSize":1}}`, base.cfg.MaxFileSize},
	} {
		got, _, err := applySettings(base, []byte(c.raw))
		if err != nil || got.cfg.MaxFileSize != c.want {
			t.Errorf("applySettings(%s) = %d, %v; want %d", c.raw, got.cfg.MaxFileSize, err, c.want)
		}
	}
	got, _, err := applySettings(base, []byte(`{"threatls":{"minSeverity":"High","disable":["AWS-S3","SYS-PATH-001"]}}`))
	if err != nil || got.minSeverity != model.High || strings.Join(got.disable, ",") != "AWS-S3,SYS-PATH-001" {
		t.Errorf("minSeverity and disable: %+v, %v", got, err)
	}
	// A wrong setting is an error that names it and what it must be, and changes nothing.
	for raw, want := range map[string]string{
		`{"threatls":{"maxFileSize":"big"}}`:      "maxFileSize must be a number",
		`{"threatls":{"minSeverity":"severe"}}`:   `minSeverity "severe" is not one of`,
		`{"threatls":{"exclude":"node_modules"}}`: "exclude must be a list of strings",
		`{"threatls":{"diagnostics":"both"}}`:     `diagnostics "both"`,
		`[1]`:                                     "want an object",
	} {
		got, _, err := applySettings(base, []byte(raw))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("applySettings(%s): %v, want an error with %q", raw, err, want)
		}
		if got.cfg.MaxFileSize != base.cfg.MaxFileSize || got.minSeverity != "" {
			t.Errorf("applySettings(%s) changed the settings: %+v", raw, got)
		}
	}
}
