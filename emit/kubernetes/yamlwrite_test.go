package kubernetes

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"
)

// hostileStrings are values that YAML could misread if written carelessly.
var hostileStrings = []string{
	"", " ", "a", "plain", "three words", "two  spaces", " lead", "trail ", "a: b", "a:b", "a:", "key: value # c", "#comment", "a #b", "a#b",
	"yes", "Yes", "NO", "on", "Off", "y", "n", "true", "False", "null", "Null", "~", "-", "--", "---", "...", "- x", "? x", ": x",
	"0", "1", "-1", "+1", "1.5", "1.27", ".5", "1e3", "1E3", "1.5e-3", "0x1F", "0o17", "0b101", "1_000", "1:20", "1:20:30", ".inf", "-.Inf", ".NaN",
	"2024-06-01", "2024-06-01T10:00:00Z", "2024.06.1", "200m", "512Mi", "1.5Gi", "25%", "100%", "1Gi ", "10k", "1E", "1e",
	"[a]", "{a: b}", "*alias", "&anchor", "!tag", "!!str x", "|", ">", "%x", "@x", "`x`", `"quoted"`, "'single'", `back\slash`, "tab\there", "a\tb",
	"line1\nline2", "line1\nline2\n", "line1\n\nline2\n", "ends\n\n", "\nleading newline", "\n  indented after newline", "  indented\nx", "x\n  indented\n",
	"x\r\ny", "nel\u0085x", "ls\u2028x", "ps\u2029x", "bom\ufeffx", "bell\x07", "del\x7f", "unicode é ü 日本", "emoji 🙂", "{\n  \"a\": 1\n}\n",
	"registry.example.com:5000/app:v1", "app@sha256:abc", "/health", "/a/b?c=d&e=f", "http://x.example.com/", "cert-manager.io/cluster-issuer",
	`[{"HTTP":80},{"HTTPS":443}]`, "a\\nb", "<<", "=", "a=b",
	"1m30s", "1h", "3-9m", "2024-06-01t", "2001-12-14t21:59:43.10-05:00", "1d", "0x", "0xg", "1E5", "1e+3", "12h30m", "1.2.3-rc1",
	strings.Repeat("k", 1100), strings.Repeat("é", 600), strings.Repeat("a b ", 300),
}

func roundTrip(t *testing.T, v map[string]any) {
	t.Helper()
	var b bytes.Buffer
	if err := writeYAML(&b, v); err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	// sigs.k8s.io/yaml (go.yaml.in/yaml/v2 underneath) is what kubectl
	// uses; yaml/v3 is what kustomize and many other tools use.
	got, err := yaml.YAMLToJSONStrict(b.Bytes())
	if err != nil {
		t.Fatalf("sigs.k8s.io/yaml cannot read:\n%s\n%v", b.String(), err)
	}
	if !jsonEqual(t, want, got) {
		t.Fatalf("sigs.k8s.io/yaml reads back something else:\n%s\nwant %s\ngot  %s", b.String(), want, got)
	}
	var v3 any
	if err := yamlv3.Unmarshal(b.Bytes(), &v3); err != nil {
		t.Fatalf("yaml/v3 cannot read:\n%s\n%v", b.String(), err)
	}
	got3, err := json.Marshal(v3)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, want, got3) {
		t.Fatalf("yaml/v3 reads back something else:\n%s\nwant %s\ngot  %s", b.String(), want, got3)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return cmp.Equal(x, y)
}

func TestYAMLStringsRoundTrip(t *testing.T) {
	for _, s := range hostileStrings {
		// As a value, as a key, inside a list and inside a list of maps.
		roundTrip(t, map[string]any{
			"v":    s,
			"list": []any{s, s},
			"maps": []any{map[string]any{"k": s, "n": map[string]any{"deep": s}}},
			"key":  map[string]any{s + "k": "x"},
		})
	}
}

func TestYAMLShapes(t *testing.T) {
	roundTrip(t, map[string]any{
		"emptyMap":  map[string]any{},
		"emptyList": []any{},
		"ints":      []any{int64(0), int64(-3), int64(1 << 40)},
		"bools":     []any{true, false},
		"nested":    []any{[]any{"a", []any{"b"}}, []any{}, map[string]any{}},
		"listOfMaps": []any{
			map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": "d"}}}, "e": []any{"f"}},
		},
	})
}

// Every object the emitter builds for the golden models reads back, with
// both parsers, as exactly the values it was written from.
func TestYAMLRoundTripsEmittedObjects(t *testing.T) {
	for name, m := range goldenModels() {
		for i := range m.Services {
			b := newBuilder(m, &m.Services[i])
			env, model := b.envConfigMap(), b.modelConfigMap()
			objs := []any{b.serviceAccount(), b.service(), b.deployment(env, model), b.hpa(), b.pdb(), b.ingress(), b.networkPolicy()}
			if env != nil {
				objs = append(objs, env)
			}
			if model != nil {
				objs = append(objs, model)
			}
			for _, o := range objs {
				v, err := toValue(o)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if v != nil {
					roundTrip(t, v)
				}
			}
		}
	}
}

// FuzzYAMLString checks the round trip for arbitrary strings (the seed
// corpus runs in every go test; go test -fuzz explores further).
func FuzzYAMLString(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Kubernetes strings are UTF-8; the emitter's values pass through
		// encoding/json, which replaces invalid bytes the same way.
		s = strings.ToValidUTF8(s, "\ufffd")
		roundTrip(t, map[string]any{"v": s, "l": []any{s}, "k": map[string]any{s: s}})
	})
}

// Common values stay readable: plain when that is safe, quoted otherwise.
func TestPlainSafe(t *testing.T) {
	for _, s := range []string{"v1.0.0", "200m", "512Mi", "1.5Gi", "25%", "three words", "app.kubernetes.io/name", "/health", "nginx", "registry.example.com:5000/app:v1", "app@sha256:abc", "RuntimeDefault", "1m30s", "3-9m", "1h", "2024-06-01a"} {
		if !plainSafe(s) {
			t.Errorf("%q should be written plain", s)
		}
	}
	for _, s := range []string{"", "yes", "No", "on", "null", "1.27", "8000", "2024.06.1", "a: b", "a:", "a #b", "a  b", "a ", " a", "-a", "1e3", "1.", ".5m", "~", "*a", "a\nb", "1.0.0", "0x1F", "1e3", "0b1", "0o17", "2024-06-01", "1:20", "1_000", "12:30:00Z"} {
		if plainSafe(s) {
			t.Errorf("%q must be quoted", s)
		}
	}
}
