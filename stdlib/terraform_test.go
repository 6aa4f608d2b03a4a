package stdlib

import "testing"

// Where Terraform's function differs from go-cty's, or is nbac's own
// implementation, check the behaviour beyond the one-line example.
func TestTerraformSemantics(t *testing.T) {
	opts := Options{}
	for _, tc := range []struct{ expr, want string }{
		{`replace("v1.20.3", "/^v([0-9]+)\\..*$/", "$1")`, `"1"`},
		{`replace("a.b", ".", "-")`, `"a-b"`}, // literal, not a regex
		{`lookup({a = 1}, "a")`, `1`},
		{`lookup(tomap({a = "x"}), "a")`, `"x"`},
		{`coalesce(null, "", "c")`, `"c"`},
		{`coalesce(1, "b")`, `"1"`},
		{`one([])`, `null`},
		{`one(toset(["x"]))`, `"x"`},
		{`length(["a", "b"])`, `2`},
		{`length({a = 1, b = 2})`, `2`},
		{`alltrue([])`, `true`},
		{`anytrue([])`, `false`},
		{`sum([1])`, `1`},
		{`index(["a", 1], 1)`, `1`},
		{`matchkeys(["a"], ["x"], ["y"])`, `[]`},
		{`transpose({})`, `{}`},
		{`cidrhost("10.0.0.0/24", -2)`, `"10.0.0.254"`},
		{`cidrhost("fd00::/64", 17)`, `"fd00::11"`},
		{`cidrsubnet("fd00::/56", 8, 255)`, `"fd00:0:0:ff::/64"`},
		{`cidrsubnet("10.0.7.9/16", 0, 0)`, `"10.0.0.0/16"`},
		{`timecmp("2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00")`, `0`},
	} {
		got, diags := eval(t, opts, tc.expr)
		if diags.HasErrors() {
			t.Errorf("%s: %s", tc.expr, diags.Error())
			continue
		}
		if g := asJSON(t, got); g != tc.want {
			t.Errorf("%s = %s, want %s", tc.expr, g, tc.want)
		}
	}
}

func TestTerraformErrors(t *testing.T) {
	opts := Options{}
	for _, tc := range []struct {
		expr string
		col  int
		frag string
	}{
		{`lookup({a = 1}, "b")`, 17, `no key "b"`},
		{`lookup(tomap({a = 1}), "b")`, 24, `give a default`},
		{`one(["a", "b"])`, 5, "at most one element"},
		{`sum([])`, 5, "empty"},
		{`coalesce("", null)`, 0, "null or empty"},
		{`index(["a"], "z")`, 14, `"z" is not in the list`},
		{`matchkeys(["a"], ["x", "y"], [])`, 18, "same length"},
		{`replace("a", "/(/", "")`, 14, "invalid regular expression"},
		{`base64decode("***")`, 14, "not valid Base64"},
		{`base64decode("//4=")`, 14, "not valid UTF-8"},
		{`timecmp("yesterday", "2026-01-01T00:00:00Z")`, 9, "RFC 3339"},
		{`cidrhost("10.0.0.0/24", 256)`, 25, "does not fit"},
		{`cidrsubnet("10.0.0.0/30", 3, 0)`, 27, "bits left"},
		{`cidrsubnet("10.0.0.0/16", 2, 4)`, 30, "does not fit"},
		{`cidrnetmask("fd00::/8")`, 13, "only for IPv4"},
		{`cidrhost("nonsense", 1)`, 10, "not a CIDR prefix"},
		{`length(true)`, 8, "string or a collection"},
	} {
		wantError(t, opts, tc.expr, tc.col, tc.frag)
	}
}
