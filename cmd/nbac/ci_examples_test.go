package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// nbacCall finds nbac invocations in a CI recipe: the command and the rest
// of the line (its arguments).
var nbacCall = regexp.MustCompile(`\bnbac (build|validate|plan|fmt|version)\b([^\n]*)`)
var flagToken = regexp.MustCompile(`(?:^|\s)(-[a-z][a-z-]*)`)

// TestCIRecipes keeps examples/ci honest: each file is valid YAML, and every
// nbac command line in it uses a real command and real flags.
func TestCIRecipes(t *testing.T) {
	files, _ := filepath.Glob("../../examples/ci/*.yml")
	if len(files) < 2 {
		t.Fatalf("expected the GitHub and GitLab recipes, found %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		calls := nbacCall.FindAllStringSubmatch(string(data), -1)
		seen := map[string]bool{}
		for _, c := range calls {
			seen[c[1]] = true
			var help bytes.Buffer
			if code := run([]string{"help", c[1]}, &help, &help); code != exitOK {
				t.Fatalf("nbac help %s: exit %d", c[1], code)
			}
			// Only the part before a shell operator belongs to nbac.
			args := regexp.MustCompile(`[|>&;]`).Split(c[2], 2)[0]
			for _, fl := range flagToken.FindAllStringSubmatch(args, -1) {
				if !strings.Contains(help.String(), "  "+fl[1]+" ") && !strings.Contains(help.String(), "  "+fl[1]+"\n") {
					t.Errorf("%s: nbac %s has no flag %s (line: nbac %s%s)", f, c[1], fl[1], c[1], c[2])
				}
			}
		}
		// The recipes install the version this source is (CHANGELOG.md).
		pin := "github.com/nbac/nbac/cmd/nbac@v" + releaseVersion
		if !strings.Contains(string(data), pin) {
			t.Errorf("%s does not install %s", f, pin)
		}
		for _, want := range []string{"fmt", "validate", "plan"} {
			if !seen[want] {
				t.Errorf("%s does not run nbac %s", f, want)
			}
		}
	}
}

// TestChangelogNamesTheVersion keeps CHANGELOG.md in Keep a Changelog form
// with an Unreleased section above the section of releaseVersion.
func TestChangelogNamesTheVersion(t *testing.T) {
	data, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	unreleased := strings.Index(text, "\n## [Unreleased]\n")
	current := strings.Index(text, "\n## ["+releaseVersion+"] - ")
	if unreleased < 0 || current < 0 || unreleased > current {
		t.Errorf("CHANGELOG.md needs '## [Unreleased]' above '## [%s] - DATE'", releaseVersion)
	}
	if !strings.Contains(text, "\n["+releaseVersion+"]: ") {
		t.Errorf("CHANGELOG.md has no link for [%s]", releaseVersion)
	}
}
