package kubecheck

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	yamlutil "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Problem is one thing wrong with a manifest.
type Problem struct {
	Doc     int    // 1-based index of the YAML document in the file
	Kind    string // object kind, when known
	Name    string // metadata.name, when known
	Field   string // path inside the object, e.g. spec.template.spec.containers[0].image
	Message string
}

func (p Problem) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "document %d", p.Doc)
	if p.Kind != "" || p.Name != "" {
		fmt.Fprintf(&sb, " (%s/%s)", p.Kind, p.Name)
	}
	if p.Field != "" {
		sb.WriteString(": " + p.Field)
	}
	sb.WriteString(": " + p.Message)
	return sb.String()
}

// Problems is the error Validate returns: every problem found, in document
// order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in manifest:\n%s", len(ps), strings.Join(lines, "\n"))
}

// Validate checks a multi-document YAML manifest and returns nil or
// Problems.
func Validate(manifest []byte) error {
	if ps := Check(manifest); len(ps) > 0 {
		return ps
	}
	return nil
}

// Check returns every problem of a multi-document YAML manifest.
func Check(manifest []byte) Problems {
	docs, err := splitDocuments(manifest)
	if err != nil {
		return Problems{{Doc: 0, Message: "cannot split the YAML stream: " + err.Error()}}
	}
	if len(docs) == 0 {
		return Problems{{Doc: 0, Message: "the manifest holds no document"}}
	}
	c := &checker{}
	for i, d := range docs {
		c.document(i+1, d)
	}
	c.crossChecks()
	c.podSecurity()
	slices.SortStableFunc(c.problems, func(a, b Problem) int { return a.Doc - b.Doc })
	return c.problems
}

// splitDocuments returns the documents of a YAML stream, leaving out
// documents that hold only comments or blank lines (a file header).
func splitDocuments(manifest []byte) ([][]byte, error) {
	r := yamlutil.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifest)))
	var docs [][]byte
	for {
		d, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if isBlank(d) {
			continue
		}
		docs = append(docs, d)
	}
}

func isBlank(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && t != "---" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// checker accumulates the objects of one file and what is wrong with them.
type checker struct {
	objects  []*object
	problems Problems
	// undecoded is set when some document did not decode; cross-object
	// checks then stay quiet about missing objects rather than blame the
	// wrong document.
	undecoded bool
}

// object is one decoded document.
type object struct {
	doc        int
	apiVersion string
	kind       string
	name       string
	typed      any // *appsv1.Deployment, *corev1.Service, ... nil when it did not decode
}

func (c *checker) add(o *object, field, format string, args ...any) {
	p := Problem{Doc: o.doc, Kind: o.kind, Name: o.name, Field: field, Message: fmt.Sprintf(format, args...)}
	c.problems = append(c.problems, p)
}

// document checks one document: strict YAML, the JSON schema of its kind,
// then (when it decodes) its semantics.
func (c *checker) document(idx int, doc []byte) {
	o := &object{doc: idx}
	js, err := yamlToJSON(doc)
	if err != nil {
		c.add(o, "", "not strict YAML: %v", err)
		return
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	// A failure here surfaces below as a schema error with a field path.
	_ = yaml.Unmarshal(js, &head)
	o.apiVersion, o.kind, o.name = head.APIVersion, head.Kind, head.Metadata.Name
	c.objects = append(c.objects, o)

	sch, err := schemaFor(o.apiVersion, o.kind)
	if err != nil {
		c.add(o, "", "%v", err)
		return
	}
	schemaProblems := validateSchema(sch, js)
	for _, p := range schemaProblems {
		c.add(o, p.field, "%s", p.message)
	}
	typed, err := decodeTyped(o.kind, js)
	if err != nil {
		// The schema usually said why already, with a field path; the
		// schemas accept any string as a quantity, so find those here.
		if len(schemaProblems) == 0 {
			bad := badQuantities(js)
			for _, b := range bad {
				c.add(o, b.field, "%s", b.message)
			}
			if len(bad) == 0 {
				c.add(o, "", "does not decode as %s: %v", o.kind, err)
			}
		}
		c.undecoded = true
		return
	}
	o.typed = typed
	c.semantic(o)
}

// yamlToJSON converts one YAML document, refusing duplicate keys.
func yamlToJSON(doc []byte) ([]byte, error) { return yaml.YAMLToJSONStrict(doc) }
