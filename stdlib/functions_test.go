package stdlib

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// eval evaluates one HCL expression with the function table, the way the
// compiler will.
func eval(t *testing.T, fns Options, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", src, diags.Error())
	}
	return expr.Value(&hcl.EvalContext{Functions: Functions(fns)})
}

func asJSON(t *testing.T, v cty.Value) string {
	t.Helper()
	v, _ = v.Unmark()
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return string(b)
}

func testOptions(t *testing.T) Options {
	t.Helper()
	root, err := os.OpenRoot("testdata/config")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	env := map[string]string{"REGION": "eu-west-1"}
	return Options{
		Root:     root,
		AllowEnv: []string{"REGION", "UNSET"},
		Getenv:   func(n string) (string, bool) { v, ok := env[n]; return v, ok },
	}
}

// examples has one call per function with its expected result written as
// JSON. TestEveryFunctionHasAnExample keeps it complete.
var examples = []struct{ fn, expr, want string }{
	{"abs", `abs(-3.5)`, `3.5`},
	{"ceil", `ceil(1.2)`, `2`},
	{"floor", `floor(1.8)`, `1`},
	{"log", `log(8, 2)`, `3`},
	{"max", `max(3, 9, 1)`, `9`},
	{"min", `min(3, 9, 1)`, `1`},
	{"parseint", `parseint("ff", 16)`, `255`},
	{"pow", `pow(2, 10)`, `1024`},
	{"signum", `signum(-7)`, `-1`},
	{"sum", `sum([1, 2, 3.5])`, `6.5`},
	{"chomp", `chomp("line\n")`, `"line"`},
	{"endswith", `endswith("api.example.com", ".com")`, `true`},
	{"format", `format("%s:%d", "api", 8080)`, `"api:8080"`},
	{"formatlist", `formatlist("%s-svc", ["a", "b"])`, `["a-svc","b-svc"]`},
	{"indent", `indent(2, "a\nb")`, `"a\n  b"`},
	{"join", `join(",", ["a", "b"])`, `"a,b"`},
	{"lower", `lower("API")`, `"api"`},
	{"regex", `regex("v([0-9]+)", "image:v12")`, `["12"]`},
	{"regexall", `regexall("[0-9]+", "a1b22")`, `["1","22"]`},
	{"replace", `replace("a-b-c", "-", "_")`, `"a_b_c"`},
	{"split", `split(",", "a,b")`, `["a","b"]`},
	{"startswith", `startswith("nba-api", "nba-")`, `true`},
	{"strcontains", `strcontains("nba-api", "-ap")`, `true`},
	{"strrev", `strrev("abc")`, `"cba"`},
	{"substr", `substr("kubernetes", 0, 4)`, `"kube"`},
	{"title", `title("hello world")`, `"Hello World"`},
	{"trim", `trim("--x--", "-")`, `"x"`},
	{"trimprefix", `trimprefix("v1.2", "v")`, `"1.2"`},
	{"trimspace", `trimspace("  x \n")`, `"x"`},
	{"trimsuffix", `trimsuffix("api.svc", ".svc")`, `"api"`},
	{"upper", `upper("api")`, `"API"`},
	{"alltrue", `alltrue([true, true])`, `true`},
	{"anytrue", `anytrue([false, true])`, `true`},
	{"chunklist", `chunklist([1, 2, 3], 2)`, `[[1,2],[3]]`},
	{"coalesce", `coalesce("", "b")`, `"b"`},
	{"coalescelist", `coalescelist([], ["x"])`, `["x"]`},
	{"compact", `compact(["a", "", "b"])`, `["a","b"]`},
	{"concat", `concat([1], [2, 3])`, `[1,2,3]`},
	{"contains", `contains(["a", "b"], "b")`, `true`},
	{"distinct", `distinct(["a", "b", "a"])`, `["a","b"]`},
	{"element", `element(["a", "b"], 3)`, `"b"`},
	{"flatten", `flatten([[1], [2, [3]]])`, `[1,2,3]`},
	{"index", `index(["a", "b"], "b")`, `1`},
	{"keys", `keys({b = 1, a = 2})`, `["a","b"]`},
	{"length", `length("héllo")`, `5`},
	{"lookup", `lookup({a = "x"}, "b", "dflt")`, `"dflt"`},
	{"matchkeys", `matchkeys(["i1", "i2", "i3"], ["us", "eu", "us"], ["us"])`, `["i1","i3"]`},
	{"merge", `merge({a = 1}, {b = 2})`, `{"a":1,"b":2}`},
	{"one", `one(["only"])`, `"only"`},
	{"range", `range(3)`, `[0,1,2]`},
	{"reverse", `reverse([1, 2, 3])`, `[3,2,1]`},
	{"setintersection", `setintersection(["a", "b"], ["b", "c"])`, `["b"]`},
	{"setproduct", `setproduct(["a"], ["x", "y"])`, `[["a","x"],["a","y"]]`},
	{"setsubtract", `setsubtract(["a", "b"], ["a"])`, `["b"]`},
	{"setunion", `setunion(["a"], ["b"])`, `["a","b"]`},
	{"slice", `slice(["a", "b", "c"], 1, 3)`, `["b","c"]`},
	{"sort", `sort(["b", "a"])`, `["a","b"]`},
	{"transpose", `transpose({a = ["x", "y"], b = ["x"]})`, `{"x":["a","b"],"y":["a"]}`},
	{"values", `values({b = 1, a = 2})`, `[2,1]`},
	{"zipmap", `zipmap(["a", "b"], [1, 2])`, `{"a":1,"b":2}`},
	{"base64decode", `base64decode("aGk=")`, `"hi"`},
	{"base64encode", `base64encode("hi")`, `"aGk="`},
	{"csvdecode", `csvdecode("name,port\napi,80\n")`, `[{"name":"api","port":"80"}]`},
	{"jsondecode", `jsondecode("{\"a\": [1]}")`, `{"a":[1]}`},
	{"jsonencode", `jsonencode({a = [1]})`, `"{\"a\":[1]}"`},
	{"urlencode", `urlencode("a b&c")`, `"a+b%26c"`},
	{"base64sha256", `base64sha256("hello")`, `"LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="`},
	{"base64sha512", `base64sha512("hello")`, `"m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw=="`},
	{"md5", `md5("hello")`, `"5d41402abc4b2a76b9719d911017c592"`},
	{"sha1", `sha1("hello")`, `"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"`},
	{"sha256", `sha256("hello")`, `"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"`},
	{"sha512", `sha512("hello")`, `"9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043"`},
	{"formatdate", `formatdate("YYYY-MM-DD", "2026-03-04T05:06:07Z")`, `"2026-03-04"`},
	{"timeadd", `timeadd("2026-01-01T00:00:00Z", "36h")`, `"2026-01-02T12:00:00Z"`},
	{"timecmp", `timecmp("2026-01-01T00:00:00Z", "2025-12-31T23:00:00-02:00")`, `-1`},
	{"cidrhost", `cidrhost("10.1.0.0/16", 5)`, `"10.1.0.5"`},
	{"cidrnetmask", `cidrnetmask("10.0.0.0/12")`, `"255.240.0.0"`},
	{"cidrsubnet", `cidrsubnet("10.0.0.0/16", 8, 2)`, `"10.0.2.0/24"`},
	{"can", `can(parseint("x", 10))`, `false`},
	{"try", `try(parseint("x", 10), 7)`, `7`},
	{"sensitive", `sensitive("s3cret")`, `"s3cret"`},
	{"tobool", `tobool("true")`, `true`},
	{"tolist", `tolist(["a", "b"])`, `["a","b"]`},
	{"tomap", `tomap({a = "1"})`, `{"a":"1"}`},
	{"tonumber", `tonumber("42")`, `42`},
	{"toset", `toset(["b", "a", "b"])`, `["a","b"]`},
	{"tostring", `tostring(42)`, `"42"`},
	{"duration", `duration("90s")`, `"1m30s"`},
	{"env", `env("REGION")`, `"eu-west-1"`},
	{"file", `file("hello.txt")`, `"hello\n"`},
	{"filebase64", `filebase64("binary.dat")`, `"//4="`},
	{"fileexists", `fileexists("conf/app.tpl")`, `true`},
	{"templatefile", `templatefile("conf/app.tpl", {port = 80, servers = ["a", "b"], name = "api"})`, `"listen 80\nserver a\nserver b\nupper=API\n"`},
}

func TestExamples(t *testing.T) {
	opts := testOptions(t)
	for _, ex := range examples {
		t.Run(ex.fn, func(t *testing.T) {
			got, diags := eval(t, opts, ex.expr)
			if diags.HasErrors() {
				t.Fatalf("%s: %s", ex.expr, diags.Error())
			}
			if g := asJSON(t, got); g != ex.want {
				t.Errorf("%s = %s, want %s", ex.expr, g, ex.want)
			}
		})
	}
}

func TestEveryFunctionHasAnExample(t *testing.T) {
	have := map[string]bool{}
	for _, ex := range examples {
		if !strings.HasPrefix(ex.expr, ex.fn+"(") {
			t.Errorf("example %q does not call %s", ex.expr, ex.fn)
		}
		have[ex.fn] = true
	}
	for name := range Functions(Options{}) {
		if !have[name] {
			t.Errorf("function %s has no example in the table", name)
		}
	}
	for name := range have {
		if _, ok := Functions(Options{})[name]; !ok {
			t.Errorf("example for %s, which is not a function", name)
		}
	}
}

// TestNoImpureFunctions guards the determinism rule: these Terraform
// functions read the clock, randomness, the host or the network.
func TestNoImpureFunctions(t *testing.T) {
	fns := Functions(Options{})
	for _, name := range []string{"timestamp", "plantimestamp", "uuid", "bcrypt", "abspath", "pathexpand", "nonsensitive", "rsadecrypt", "fileset"} {
		if _, ok := fns[name]; ok {
			t.Errorf("%s must not be available", name)
		}
	}
}

func TestDocsListEveryFunction(t *testing.T) {
	doc, err := os.ReadFile("../docs/functions.md")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range Functions(Options{}) {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !strings.Contains(string(doc), "`"+name+"(") {
			t.Errorf("docs/functions.md does not document %s", name)
		}
	}
}
