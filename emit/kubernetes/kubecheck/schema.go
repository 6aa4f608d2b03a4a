package kubecheck

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
)

// schemaFS holds kubeconform-style "standalone-strict" JSON schemas of
// Kubernetes v1.33.13 (every $ref inlined, additionalProperties false),
// copied from ../shared/k8s-schemas so the tests are self-contained.
//
//go:embed schemas/*.json
var schemaFS embed.FS

var (
	compileOnce sync.Once
	compiled    map[string]*jsonschema.Schema // by file name
	compileErr  error
	printer     = message.NewPrinter(language.English)
)

// schemaFile names the schema of a kind the way kubeconform does:
// "<kind>-<group>-<version>.json", the group cut at its first dot and left
// out for the core group ("Ingress", "networking.k8s.io/v1" ->
// "ingress-networking-v1.json").
func schemaFile(apiVersion, kind string) string {
	group, version, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return strings.ToLower(kind) + "-" + apiVersion + ".json"
	}
	group, _, _ = strings.Cut(group, ".")
	return strings.ToLower(kind) + "-" + group + "-" + version + ".json"
}

func compileAll() {
	entries, err := schemaFS.ReadDir("schemas")
	if err != nil {
		compileErr = err
		return
	}
	c := newSchemaCompiler()
	compiled = map[string]*jsonschema.Schema{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		raw, err := schemaFS.ReadFile("schemas/" + e.Name())
		if err != nil {
			compileErr = err
			return
		}
		sch, err := compileSchema(c, "mem://schemas/"+e.Name(), raw)
		if err != nil {
			compileErr = fmt.Errorf("schema %s: %w", e.Name(), err)
			return
		}
		compiled[e.Name()] = sch
	}
}

func newSchemaCompiler() *jsonschema.Compiler { return jsonschema.NewCompiler() }

// compileSchema compiles one JSON schema document under a URL.
func compileSchema(c *jsonschema.Compiler, url string, raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// Kinds lists the schema files available, sorted (for messages and tests).
func Kinds() []string {
	compileOnce.Do(compileAll)
	var names []string
	for n := range compiled {
		names = append(names, strings.TrimSuffix(n, ".json"))
	}
	slices.Sort(names)
	return names
}

func schemaFor(apiVersion, kind string) (*jsonschema.Schema, error) {
	compileOnce.Do(compileAll)
	if compileErr != nil {
		return nil, fmt.Errorf("embedded schemas do not compile: %v", compileErr)
	}
	if apiVersion == "" || kind == "" {
		return nil, fmt.Errorf("apiVersion and kind are required")
	}
	f := schemaFile(apiVersion, kind)
	sch, ok := compiled[f]
	if !ok {
		return nil, fmt.Errorf("no schema for kind %q in apiVersion %q (have %s)", kind, apiVersion, strings.Join(Kinds(), ", "))
	}
	return sch, nil
}

type schemaProblem struct{ field, message string }

// validateSchema checks a JSON document and returns one problem per
// failing leaf of the validation tree, each with the field it is about.
func validateSchema(sch *jsonschema.Schema, js []byte) []schemaProblem {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return []schemaProblem{{message: "not JSON-compatible: " + err.Error()}}
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []schemaProblem{{message: err.Error()}}
	}
	var out []schemaProblem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, schemaProblem{field: fieldPath(e.InstanceLocation), message: "schema: " + e.ErrorKind.LocalizedString(printer)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// fieldPath writes a JSON pointer's segments as kubectl does:
// spec.containers[0].image.
func fieldPath(segs []string) string {
	var sb strings.Builder
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err == nil {
			sb.WriteString("[" + s + "]")
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(s)
	}
	return sb.String()
}

// decodeTyped decodes a document into its k8s.io/api type, refusing fields
// the type does not have.
func decodeTyped(kind string, js []byte) (any, error) {
	var v any
	switch kind {
	case "ServiceAccount":
		v = &corev1.ServiceAccount{}
	case "ConfigMap":
		v = &corev1.ConfigMap{}
	case "Secret":
		v = &corev1.Secret{}
	case "Service":
		v = &corev1.Service{}
	case "Deployment":
		v = &appsv1.Deployment{}
	case "HorizontalPodAutoscaler":
		v = &autoscalingv2.HorizontalPodAutoscaler{}
	case "PodDisruptionBudget":
		v = &policyv1.PodDisruptionBudget{}
	case "Ingress":
		v = &networkingv1.Ingress{}
	case "NetworkPolicy":
		v = &networkingv1.NetworkPolicy{}
	default:
		// A kind whose schema was generated from a CRD (crdschema.go) has
		// no Go type here; the schema checked its shape, the metadata is
		// checked like any other object's.
		v = &CustomObject{}
		return v, json.Unmarshal(js, v)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, err
	}
	return v, nil
}
