package plan

import (
	"strings"
	"testing"
)

func TestWriteTextColoursOnlyWhenAsked(t *testing.T) {
	p := &Plan{Changes: []FileChange{
		{Path: "kubernetes/a.yaml", Action: Add, Origin: `service "a"`},
		{Path: "haproxy/e.cfg", Action: Change, Origin: `load_balancer "e"`, Diff: "--- a/haproxy/e.cfg\n+++ b/haproxy/e.cfg\n@@ -1 +1 @@\n-old\n+new\n"},
		{Path: "nginx/e.conf", Action: Remove},
	}}
	var plain, colour strings.Builder
	p.WriteText(&plain, false)
	p.WriteText(&colour, true)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Fatalf("colour codes without colour:\n%q", plain.String())
	}
	for _, want := range []string{
		green + "+ kubernetes/a.yaml  (from service \"a\")" + reset,
		yellow + "~ haproxy/e.cfg  (from load_balancer \"e\")" + reset,
		red + "- nginx/e.conf" + reset,
		red + "    -old" + reset,
		green + "    +new" + reset,
		"    --- a/haproxy/e.cfg\n",
		bold + "Plan: 1 to add, 1 to change, 1 to remove." + reset,
	} {
		if !strings.Contains(colour.String(), want) {
			t.Errorf("coloured output lacks %q:\n%q", want, colour.String())
		}
	}
	// Stripping the codes gives the plain text back.
	stripped := strings.NewReplacer(green, "", yellow, "", red, "", bold, "", reset, "").Replace(colour.String())
	if stripped != plain.String() {
		t.Errorf("coloured and plain output differ beyond colour:\n%s\n---\n%s", stripped, plain.String())
	}
}

func TestFormatValue(t *testing.T) {
	for in, want := range map[any]string{
		"1Gi":           "1Gi",
		"registry/x:v2": "registry/x:v2",
		"":              `""`,
		"two words":     `"two words"`,
		"true":          `"true"`,
		"3":             `"3"`,
		"line\nbreak":   `"line\nbreak"`,
		true:            "true",
		nil:             "null",
		float64(2):      "2",
	} {
		if got := FormatValue(in); got != want {
			t.Errorf("FormatValue(%#v) = %s, want %s", in, got, want)
		}
	}
	if got := FormatValue(map[string]any{"b": 1, "a": []any{"x"}}); got != `{"a":["x"],"b":1}` {
		t.Errorf("map = %s", got)
	}
}
