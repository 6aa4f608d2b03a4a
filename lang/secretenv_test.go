package lang

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestSecretLikeName(t *testing.T) {
	for name, want := range map[string]string{
		"DB_PASSWORD": "PASSWORD", "password": "PASSWORD", "JWT_SECRET": "SECRET", "GITHUB_TOKEN": "TOKEN",
		"STRIPE_API_KEY": "API_KEY", "APIKEY": "APIKEY", "TLS_PRIVATE_KEY": "PRIVATE_KEY",
		"AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_ACCESS_KEY": "ACCESS_KEY", "REDIS_PASS": "PASS",
		"GCP_CREDENTIALS": "CREDENTIALS",
		// Names that point at or describe a secret, and ordinary names.
		"DB_PASSWORD_FILE": "", "TOKEN_URL": "", "SECRET_NAME": "", "AWS_ACCESS_KEY_ID": "",
		"PASSWORD_ENV": "", "PASS_THROUGH": "", "LOG_LEVEL": "", "KEYCLOAK_REALM": "", "PASS": "",
		"TOKENIZER_MODEL": "", "MONKEY": "",
	} {
		if got := secretLikeName(name); got != want {
			t.Errorf("secretLikeName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestSecretLikeEnvWarning warns, at the entry, for a plain value under a
// secret-like name, never shows the value in the message, and leaves a
// configuration without such names alone.
func TestSecretLikeEnvWarning(t *testing.T) {
	dir := writeConfig(t, map[string]string{"main.hcl": `
project "p" {}
service "api" {
  image = "app:1"
  env = {
    LOG_LEVEL        = "info"
    DB_PASSWORD_FILE = "/run/secrets/db"
    DB_PASSWORD      = "plain-canary-value"
    EMPTY_TOKEN      = ""
  }
}
`})
	res := Load(dir, Options{})
	if res.Model == nil {
		t.Fatalf("diagnostics:\n%s", renderDiags(res))
	}
	var warns []*hcl.Diagnostic
	for _, d := range res.Diags {
		if d.Severity == hcl.DiagWarning {
			warns = append(warns, d)
		}
	}
	if len(warns) != 1 {
		t.Fatalf("want one warning, got:\n%s", renderDiags(res))
	}
	w := warns[0]
	if w.Subject == nil || w.Subject.Start.Line != 8 || w.Subject.Start.Column != 5 {
		t.Errorf("warning not at the DB_PASSWORD entry (8:5): %v", w.Subject)
	}
	if !strings.Contains(w.Detail, "secret_env \"DB_PASSWORD\"") || strings.Contains(w.Detail, "plain-canary-value") {
		t.Errorf("detail: %s", w.Detail)
	}
}
