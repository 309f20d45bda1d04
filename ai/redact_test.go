package ai

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// values of secret-like names, in the forms of each format
		{`password = "hunter22"`, `password = "__REDACTED_1__"`},
		{`  DB_PASSWORD: supersecret`, `  DB_PASSWORD: __REDACTED_1__`},
		{`- API_TOKEN=abc123def`, `- API_TOKEN=__REDACTED_1__`},
		{`{"client_secret": "xyz789", "name": "web"}`, `{"client_secret": "__REDACTED_1__", "name": "web"}`},
		{`ENV API_SECRET s3cr3tvalue`, `ENV API_SECRET __REDACTED_1__`},
		{"- name: DB_PASSWORD\n  value: \"k8s-pw\"\n", "- name: DB_PASSWORD\n  value: \"__REDACTED_1__\"\n"},
		{"variable \"db_password\" {\n  default = \"tf-pw\"\n}\n", "variable \"db_password\" {\n  default = \"__REDACTED_1__\"\n}\n"},
		{`attrs: {ftp_password: pw1, backup: true}`, `attrs: {ftp_password: __REDACTED_1__, backup: true}`},
		// known token formats, wherever they are
		{`key AKIAIOSFODNN7EXAMPLE here`, `key __REDACTED_1__ here`},
		{`ghp_abcdefghijklmnopqrstuvwxyz0123456789`, `__REDACTED_1__`},
		{`sk-proj-abcdefghijklmnopqrstuv`, `__REDACTED_1__`},
		{`eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig123`, `__REDACTED_1__`},
		{`Authorization: Bearer abc123def456ghi`, `Authorization: Bearer __REDACTED_1__`},
		// connection strings
		{`postgres://app:pa55word@db:5432/orders`, `postgres://app:__REDACTED_1__@db:5432/orders`},
		{`DATABASE_URL: postgres://orders:dev@orders-db:5432/orders`, `DATABASE_URL: postgres://orders:__REDACTED_1__@orders-db:5432/orders`},
		{`redis://:pw@cache:6379`, `redis://:__REDACTED_1__@cache:6379`},
		{`Server=db;User Id=app;Password=pa55word;`, `Server=db;User Id=app;Password=__REDACTED_1__;`},
		{`DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcDEF123==;`, `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=__REDACTED_1__;`},
		// a private key, whole
		{"k: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEow\n  -----END RSA PRIVATE KEY-----\nnext: 1", "k: |\n  __REDACTED_1__\nnext: 1"},
		// high entropy
		{`build: Zx8Qp2m4n4ryVt7Lm3Kd9Rw5`, `build: __REDACTED_1__`},
		// the same secret, the same placeholder
		{`a_password: x1y2z3 b_password: x1y2z3`, `a_password: __REDACTED_1__ b_password: __REDACTED_1__`},
		// left alone: references, flags, numbers, identifiers, prose
		{`password = var.db_password`, `password = var.db_password`},
		{`TOKEN: ${{ secrets.TOKEN }}`, `TOKEN: ${{ secrets.TOKEN }}`},
		{`DB_PASSWORD: $DB_PASSWORD`, `DB_PASSWORD: $DB_PASSWORD`},
		{`manage_master_user_password = true`, `manage_master_user_password = true`},
		{`password_length = 32`, `password_length = 32`},
		{`secretName: db-credentials`, `secretName: db-credentials`},
		{`resource "aws_s3_bucket_server_side_encryption_configuration" "x"`, `resource "aws_s3_bucket_server_side_encryption_configuration" "x"`},
		{`id 123e4567-e89b-12d3-a456-426614174000`, `id 123e4567-e89b-12d3-a456-426614174000`},
		{`Title: Secret in an environment variable`, `Title: Secret in an environment variable`},
		{`- secrets_in_env = true (read)`, `- secrets_in_env = true (read)`},
	} {
		r := NewRedactor()
		if got := r.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestRestore(t *testing.T) {
	r := NewRedactor()
	red := r.Redact(`password = "hunter22"` + "\n" + `url = "postgres://app:pa55@db/x"`)
	back, err := r.Restore(strings.ReplaceAll(red, "hunter22", ""))
	if err != nil || back != `password = "hunter22"`+"\n"+`url = "postgres://app:pa55@db/x"` {
		t.Errorf("Restore = %q, %v", back, err)
	}
	if _, err := r.Restore(`password = "__REDACTED_9__"`); err == nil {
		t.Error("a placeholder the redactor never made was restored")
	}
}
