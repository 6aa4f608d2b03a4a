package stdlib

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// wantError evaluates src and checks there is one error whose detail
// contains every fragment and whose range covers the argument at column
// argCol (1-based, on line 1), so the user sees the argument underlined.
func wantError(t *testing.T, opts Options, src string, argCol int, fragments ...string) {
	t.Helper()
	_, diags := eval(t, opts, src)
	if !diags.HasErrors() {
		t.Fatalf("%s: no error", src)
	}
	d := diags[0]
	for _, f := range fragments {
		if !strings.Contains(d.Detail, f) {
			t.Errorf("%s: detail %q does not contain %q", src, d.Detail, f)
		}
	}
	// HCL appends a full stop to an argument error's message: the message
	// must not bring its own.
	if strings.HasSuffix(d.Detail, "..") {
		t.Errorf("%s: detail %q has a double full stop", src, d.Detail)
	}
	// HCL puts a string argument's range on its text, just inside the quote.
	if argCol > 0 && (d.Subject == nil || d.Subject.Start.Line != 1 ||
		d.Subject.Start.Column < argCol || d.Subject.Start.Column > argCol+1) {
		t.Errorf("%s: error points at %v, want line 1 column %d", src, d.Subject, argCol)
	}
}

func TestFileStaysInsideTheDirectory(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("top secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("fine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok.txt", filepath.Join(dir, "inner-link.txt")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	opts := Options{Root: root}

	// A symbolic link that stays inside is fine.
	v, diags := eval(t, opts, `file("inner-link.txt")`)
	if diags.HasErrors() || v.AsString() != "fine" {
		t.Fatalf("inner link: %v %s", v, diags.Error())
	}
	for _, tc := range []struct{ src, frag string }{
		{`file("../secret.txt")`, "must stay inside the configuration directory"},
		{`file("` + filepath.Join(outside, "secret.txt") + `")`, "must stay inside the configuration directory"},
		{`file("link.txt")`, "must stay inside the configuration directory"},
		{`file("linkdir/secret.txt")`, "must stay inside the configuration directory"},
		{`file("a/../../secret.txt")`, "must stay inside the configuration directory"},
		{`file("missing.txt")`, `no file "missing.txt"`},
		{`file("")`, "the path is empty"},
		{`file(".")`, "is a directory"},
		{`filebase64("link.txt")`, "must stay inside the configuration directory"},
		{`fileexists("../x")`, "must stay inside the configuration directory"},
		{`templatefile("link.txt", {})`, "must stay inside the configuration directory"},
	} {
		col := strings.Index(tc.src, "(") + 2
		if tc.src == `file("")` {
			col = 0 // HCL gives an empty string literal a zero-width range past the quotes
		}
		wantError(t, opts, tc.src, col, tc.frag)
	}
	// None of the messages may leak the outside file's contents.
	_, diags = eval(t, opts, `file("link.txt")`)
	if strings.Contains(diags.Error(), "top secret") {
		t.Error("error message leaks the file's contents")
	}
}

func TestFileWithoutRoot(t *testing.T) {
	wantError(t, Options{}, `file("a.txt")`, 6, "no configuration directory")
}

func TestFileRejectsBinaryAndLargeFiles(t *testing.T) {
	opts := testOptions(t)
	wantError(t, opts, `file("binary.dat")`, 6, "not valid UTF-8", `filebase64("binary.dat")`)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, maxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	wantError(t, Options{Root: root}, `file("big")`, 6, "limited to")
}

func TestFileExists(t *testing.T) {
	opts := testOptions(t)
	for src, want := range map[string]bool{
		`fileexists("hello.txt")`:    true,
		`fileexists("nope.txt")`:     false,
		`fileexists("conf")`:         false, // a directory is not a file
		`fileexists("conf/app.tpl")`: true,
	} {
		v, diags := eval(t, opts, src)
		if diags.HasErrors() || v.True() != want {
			t.Errorf("%s = %v (%s), want %v", src, v, diags.Error(), want)
		}
	}
}

func TestTemplateFile(t *testing.T) {
	opts := testOptions(t)
	wantError(t, opts, `templatefile("conf/app.tpl", {port = 80})`, 30, `refers to "servers"`, "conf/app.tpl:2")
	wantError(t, opts, `templatefile("conf/app.tpl", "x")`, 30, "vars must be an object or a map")
	// A template may not call templatefile: no recursion through files.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "self.tpl"), []byte(`${templatefile("self.tpl", {})}`), 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	wantError(t, Options{Root: root}, `templatefile("self.tpl", {})`, 14, "templatefile")
}

func TestEnv(t *testing.T) {
	var reads []string
	opts := Options{
		AllowEnv: []string{"REGION", "TIER", "REGION"},
		Getenv: func(n string) (string, bool) {
			return map[string]string{"REGION": "eu", "SECRET": "x"}[n], n == "REGION" || n == "SECRET"
		},
		OnEnvRead: func(n string) { reads = append(reads, n) },
	}
	v, diags := eval(t, opts, `env("REGION")`)
	if diags.HasErrors() || v.AsString() != "eu" {
		t.Fatalf("env(REGION) = %v %s", v, diags.Error())
	}
	// Set but not allowed: refused, names the allowed list and both fixes.
	wantError(t, opts, `env("SECRET")`, 5,
		`env("SECRET") is not allowed`, `"REGION", "TIER"`, `project { allow_env = ["SECRET"] }`, "-allow-env SECRET")
	// Allowed but unset: an error without a default, the default with one.
	wantError(t, opts, `env("TIER")`, 5, "TIER is not set", `env("TIER", "...")`)
	v, diags = eval(t, opts, `env("TIER", "gold")`)
	if diags.HasErrors() || v.AsString() != "gold" {
		t.Fatalf("env(TIER, gold) = %v %s", v, diags.Error())
	}
	wantError(t, opts, `env("TIER", "a", "b")`, 0, "at most one default")
	// Every allowed read is reported, refused ones are not.
	if !slices.Equal(reads, []string{"REGION", "TIER", "TIER"}) {
		t.Errorf("OnEnvRead saw %v", reads)
	}
	// No allowed names at all, and no Getenv: still a clear refusal.
	wantError(t, Options{}, `env("HOME")`, 5, "allows no environment variables")
}

func TestDuration(t *testing.T) {
	for src, want := range map[string]string{
		`duration("90s")`:     "1m30s",
		`duration("1h0m0s")`:  "1h",
		`duration("3600s")`:   "1h",
		`duration("1h0m5s")`:  "1h5s",
		`duration(" 250ms ")`: "250ms",
		`duration("1500ms")`:  "1.5s",
		`duration("2us")`:     "2us",
		`duration("1m0.5s")`:  "1m500ms",
		`duration(0)`:         "0s",
		`duration(90)`:        "1m30s",
		`duration(0.1)`:       "100ms",
		`duration(30 * 2)`:    "1m",
		`duration("0")`:       "0s",
		`duration(86400 * 2)`: "48h",
	} {
		v, diags := eval(t, Options{}, src)
		if diags.HasErrors() {
			t.Errorf("%s: %s", src, diags.Error())
			continue
		}
		if v.AsString() != want {
			t.Errorf("%s = %q, want %q", src, v.AsString(), want)
		}
	}
	wantError(t, Options{}, `duration("5 minutes")`, 10, "not a duration", `"1m30s"`)
	wantError(t, Options{}, `duration("-5s")`, 10, "must not be negative")
	wantError(t, Options{}, `duration(-1)`, 10, "must not be negative")
	wantError(t, Options{}, `duration(1e300)`, 10, "out of range")
	wantError(t, Options{}, `duration(true)`, 10, "a number of seconds")
}

func TestFormatDurationRoundTrips(t *testing.T) {
	for _, s := range []string{"1ns", "999ns", "1us", "1.5ms", "1s", "59.999s", "1m", "1h1m1.001s", "100h", "2562047h47m16.854775807s"} {
		d, err := parseDurationValue(mustString(s))
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseDurationValue(mustString(FormatDuration(d)))
		if err != nil || back != d {
			t.Errorf("%s -> %s -> %v (%v)", s, FormatDuration(d), back, err)
		}
	}
}

func TestSensitivePropagates(t *testing.T) {
	v, diags := eval(t, Options{}, `upper(sensitive("s3cret"))`)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if !v.HasMark(SensitiveMark) {
		t.Error("a value computed from a sensitive one lost its mark")
	}
	// An error about a sensitive value must not print it.
	_, diags = eval(t, Options{}, `index(["a"], sensitive("s3cret"))`)
	if !diags.HasErrors() || strings.Contains(diags.Error(), "s3cret") {
		t.Errorf("want an error that hides the value, got %q", diags.Error())
	}
}

func mustString(s string) cty.Value { return cty.StringVal(s) }
