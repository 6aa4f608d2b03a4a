package kubernetes

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/importer"
)

// A file whose Secret is followed by a YAML syntax error: the error's
// snippet, and every other report, must show none of the Secret's values,
// while the Deployment's lines stay readable.
func TestSecretValuesNeverInSnippets(t *testing.T) {
	src := `apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: c3VwZXJzZWNyZXQ=
stringData: {token: "plaintext-token-123"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers: [{name: api, image: "api:1"}]
---
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "inline"}, "data": {"k": "aW5saW5lc2VjcmV0"}}
---
kind: Secret
apiVersion: v1
metadata:
  name: broken
stringData:
  key: "unterminated-secret-value
`
	dir := t.TempDir()
	p := filepath.Join(dir, "estate.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := importer.NewResult()
	ReadPaths([]string{p}, res)
	if !res.Diags.HasErrors() {
		t.Fatalf("the unterminated string was not an error: %v", res.Diags)
	}
	res.Locate()
	shown := res.Sources[p]
	if len(shown) != len(src) || bytes.Count(shown, []byte("\n")) != strings.Count(src, "\n") {
		t.Fatalf("masking moved offsets: %d bytes, %d lines; want %d, %d", len(shown), bytes.Count(shown, []byte("\n")), len(src), strings.Count(src, "\n"))
	}
	for _, secret := range []string{"c3VwZXJzZWNyZXQ=", "plaintext-token-123", "aW5saW5lc2VjcmV0", "unterminated-secret-value"} {
		if bytes.Contains(shown, []byte(secret)) {
			t.Errorf("the snippet source shows %q", secret)
		}
		for _, d := range res.Diags {
			if strings.Contains(d.Summary+d.Detail, secret) {
				t.Errorf("diagnostic %q shows %q", d.Summary, secret)
			}
		}
	}
	for _, kept := range []string{"kind: Deployment", `image: "api:1"`, "  name: db", "kind: Secret"} {
		if !bytes.Contains(shown, []byte(kept)) {
			t.Errorf("the snippet source lost %q", kept)
		}
	}
}
