package kubecheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate schemas/*.json from the CRDs listed in testdata/crd-sources")

// crdSource is one line of testdata/crd-sources/*.txt: a CRD file inside a
// Go module, and the versions of it to keep (all served ones when none).
type crdSource struct {
	module, path string
	versions     []string
}

func readCRDSources(t *testing.T) []crdSource {
	t.Helper()
	files, err := filepath.Glob("testdata/crd-sources/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []crdSource
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			if len(fields) < 2 || !strings.Contains(fields[0], "@") {
				t.Fatalf("%s: want \"module@version path [versions]\", got %q", f, sc.Text())
			}
			out = append(out, crdSource{fields[0], fields[1], fields[2:]})
		}
	}
	return out
}

// moduleDir downloads (or finds in the module cache) a module version with
// the go command and returns its directory.
func moduleDir(t *testing.T, modVersion string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = t.TempDir() // outside this module: its go.mod need not list the module
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v\n%s", modVersion, err, out)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s: %s %v", modVersion, info.Error, err)
	}
	return info.Dir
}

// TestCRDSchemasUpToDate regenerates the schemas of every CRD listed in
// testdata/crd-sources from the module zip the Go module proxy serves and
// fails when schemas/ differs; -update rewrites schemas/.
func TestCRDSchemasUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the CRD modules are not downloaded")
	}
	for _, src := range readCRDSources(t) {
		crd, err := os.ReadFile(filepath.Join(moduleDir(t, src.module), src.path))
		if err != nil {
			t.Fatal(err)
		}
		schemas, err := CRDSchemas(crd)
		if err != nil {
			t.Fatalf("%s %s: %v", src.module, src.path, err)
		}
		kept := 0
		for _, s := range schemas {
			_, version, _ := strings.Cut(s.APIVersion, "/")
			if len(src.versions) > 0 && !slices.Contains(src.versions, version) {
				continue
			}
			kept++
			path := filepath.Join("schemas", s.File)
			if *update {
				if err := os.WriteFile(path, s.JSON, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			have, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(have, s.JSON) {
				t.Errorf("%s is stale or missing for %s %s (run go test -run TestCRDSchemasUpToDate -update)", path, src.module, src.path)
			}
		}
		if kept == 0 {
			t.Errorf("%s %s: none of the versions %v is served", src.module, src.path, src.versions)
		}
	}
}

// A small CRD with each construct the converter translates.
const widgetCRD = `
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-crd}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: dropped
        required: [spec]
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - rule: self.size > 0
            properties:
              size:
                x-kubernetes-int-or-string: true
                anyOf: [{type: integer}, {type: string}]
              ratio: {type: integer, minimum: 0, maximum: 100, exclusiveMaximum: true}
              note: {type: string, nullable: true, maxLength: 5}
              labels:
                type: object
                additionalProperties: {type: string}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              empty: {type: object}
              mode: {type: string, enum: [a, b]}
              tags:
                type: array
                items: {type: string}
                x-kubernetes-list-type: set
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
`

func compileCRDSchema(t *testing.T, s CRDSchema) func(doc string) []schemaProblem {
	t.Helper()
	c := newSchemaCompiler()
	sch, err := compileSchema(c, "mem://test/"+s.File, s.JSON)
	if err != nil {
		t.Fatalf("generated schema does not compile: %v\n%s", err, s.JSON)
	}
	return func(doc string) []schemaProblem {
		js, err := yamlToJSON([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		return validateSchema(sch, js)
	}
}

func TestCRDSchemasConvert(t *testing.T) {
	schemas, err := CRDSchemas([]byte(widgetCRD))
	if err != nil {
		t.Fatal(err)
	}
	if len(schemas) != 1 {
		t.Fatalf("want the one served version, got %d schemas", len(schemas))
	}
	s := schemas[0]
	if s.File != "widget-example-v1.json" || s.APIVersion != "example.com/v1" || s.Kind != "Widget" {
		t.Fatalf("got %s %s %s", s.File, s.APIVersion, s.Kind)
	}
	for _, dropped := range []string{`"dropped"`, "x-kubernetes-validations", "x-kubernetes-int-or-string", "nullable"} {
		if bytes.Contains(s.JSON, []byte(dropped)) {
			t.Errorf("%q left in the schema", dropped)
		}
	}
	check := compileCRDSchema(t, s)
	const head = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  labels: {a: b}\n"
	for _, ok := range []string{
		"spec: {size: 3}",
		"spec: {size: 50%}",
		"spec: {size: 1, note: null, ratio: 99, mode: b}",
		"spec: {size: 1, labels: {x: z}, free: {anything: [1, {deep: true}]}}",
	} {
		if ps := check(head + ok); len(ps) > 0 {
			t.Errorf("%s: rejected: %v", ok, ps)
		}
	}
	for _, tc := range []struct{ doc, field, msg string }{
		{head + "spec: {size: 1, sise: 2}", "spec", "sise"},
		{head + "spec: {size: true}", "spec.size", "got boolean"},
		{head + "spec: {size: 1, ratio: 100}", "spec.ratio", "100"},
		{head + "spec: {size: 1, note: toolong}", "spec.note", "maxLength"},
		{head + "spec: {size: 1, labels: {x: 1}}", "spec.labels.x", "got number"},
		{head + "spec: {size: 1, empty: {x: 1}}", "spec.empty", "x"},
		{head + "spec: {size: 1, mode: c}", "spec.mode", "'a'"},
		{head + "spec: {size: 1, tags: [x, x]}", "spec.tags", "are equal"},
		{head + "spec: {}", "spec", "size"},
		{"apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, nmae: x}\nspec: {size: 1}", "metadata", "nmae"},
		{"apiVersion: example.com/v2\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}", "apiVersion", "example.com/v1"},
		{"apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: w}\nspec: {size: 1}", "kind", "Widget"},
	} {
		ps := check(tc.doc)
		found := false
		for _, p := range ps {
			if p.field == tc.field && strings.Contains(p.message, tc.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want a problem at %s mentioning %q, got %v", tc.doc, tc.field, tc.msg, ps)
		}
	}
}

func TestCRDSchemasRejectsNonCRD(t *testing.T) {
	if _, err := CRDSchemas([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")); err == nil {
		t.Fatal("a file without a CRD must be an error")
	}
	if _, err := CRDSchemas([]byte("kind: CustomResourceDefinition\nspec: [")); err == nil {
		t.Fatal("broken YAML must be an error")
	}
}

// The embedded CRD schemas are used by Check like the built-in ones: a
// CRD kind's object passes or fails on its schema and its metadata.
func TestCheckCRDKinds(t *testing.T) {
	const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: web
    app.kubernetes.io/version: "1"
    app.kubernetes.io/component: server
    app.kubernetes.io/part-of: shop
    app.kubernetes.io/managed-by: nbac
spec:
  parentRefs:
  - name: edge
  hostnames: [shop.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /}
    backendRefs:
    - name: web
      port: 80
`
	if ps := Check([]byte(route)); len(ps) > 0 {
		t.Fatalf("valid HTTPRoute rejected: %v", ps)
	}
	for _, tc := range []struct{ old, new, field, msg string }{
		{"port: 80", "port: 80\n      wieght: 1", "spec.rules[0].backendRefs[0]", "wieght"},
		{"type: PathPrefix", "type: Prefix", "spec.rules[0].matches[0].path.type", "PathPrefix"},
		{"[shop.example.com]", "[Shop_Example]", "spec.hostnames[0]", "does not match pattern"},
		{"name: web\n  namespace", "name: Web\n  namespace", "metadata.name", "lowercase"},
		{"    app.kubernetes.io/part-of: shop\n", "", "metadata.labels", "part-of"},
	} {
		doc := strings.Replace(route, tc.old, tc.new, 1)
		found := false
		ps := Check([]byte(doc))
		for _, p := range ps {
			if p.Kind == "HTTPRoute" && p.Field == tc.field && strings.Contains(p.Message, tc.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q -> %q: want a problem at %s mentioning %q, got %v", tc.old, tc.new, tc.field, tc.msg, ps)
		}
	}
}
