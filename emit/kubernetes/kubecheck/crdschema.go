package kubecheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// CRDSchema is the standalone-strict JSON schema of one served version of a
// CustomResourceDefinition, named the way kubecheck looks schemas up.
type CRDSchema struct {
	File       string // e.g. httproute-gateway-v1.json
	APIVersion string // e.g. gateway.networking.k8s.io/v1
	Kind       string // e.g. HTTPRoute
	JSON       []byte // indented, keys sorted, ending in a newline
}

// CRDSchemas converts CustomResourceDefinition YAML (one or more documents;
// documents of other kinds are skipped) into one standalone-strict JSON
// schema per served version, by the rules kubeconform's openapi2jsonschema
// applies to CRDs in strict mode, tightened where the API server is
// tighter:
//
//   - every object without additionalProperties gets additionalProperties:
//     false (the API server prunes or, under strict field validation,
//     rejects unknown fields), except under x-kubernetes-preserve-unknown-fields;
//   - nullable: true admits null, x-kubernetes-int-or-string admits an
//     integer or a string, x-kubernetes-list-type: set refuses repeats;
//   - apiVersion and kind are pinned by enum, and metadata gets the strict
//     ObjectMeta schema of the embedded built-in schemas (a CRD says only
//     "type: object" there);
//   - descriptions and the other x-kubernetes-* extensions are dropped:
//     CEL rules (x-kubernetes-validations) need a CEL evaluator, which
//     this package does not carry.
func CRDSchemas(crdYAML []byte) ([]CRDSchema, error) {
	meta, err := objectMetaSchema()
	if err != nil {
		return nil, err
	}
	docs, err := splitDocuments(crdYAML)
	if err != nil {
		return nil, fmt.Errorf("cannot split the CRD YAML: %w", err)
	}
	var out []CRDSchema
	for _, d := range docs {
		js, err := yaml.YAMLToJSON(d)
		if err != nil {
			return nil, fmt.Errorf("CRD YAML: %w", err)
		}
		var crd struct {
			Kind string `json:"kind"`
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema json.RawMessage `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(js, &crd); err != nil {
			return nil, fmt.Errorf("CRD: %w", err)
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue
		}
		kind := crd.Spec.Names.Kind
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			apiVersion := crd.Spec.Group + "/" + v.Name
			if len(v.Schema.OpenAPIV3Schema) == 0 {
				return nil, fmt.Errorf("%s %s has no openAPIV3Schema", apiVersion, kind)
			}
			root, err := decodeJSONObject(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", apiVersion, kind, err)
			}
			s := strictSchema(root)
			props, _ := s["properties"].(map[string]any)
			if props == nil {
				props = map[string]any{}
				s["properties"] = props
			}
			props["apiVersion"] = map[string]any{"type": "string", "enum": []any{apiVersion}}
			props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
			props["metadata"] = meta
			s["$schema"] = "http://json-schema.org/schema#"
			b, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				return nil, err
			}
			out = append(out, CRDSchema{File: schemaFile(apiVersion, kind), APIVersion: apiVersion, Kind: kind, JSON: append(b, '\n')})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no served CustomResourceDefinition version in the input")
	}
	return out, nil
}

// objectMetaSchema is the strict metadata schema of a built-in kind.
func objectMetaSchema() (any, error) {
	raw, err := schemaFS.ReadFile("schemas/configmap-v1.json")
	if err != nil {
		return nil, err
	}
	cm, err := decodeJSONObject(raw)
	if err != nil {
		return nil, err
	}
	props, _ := cm["properties"].(map[string]any)
	if props == nil || props["metadata"] == nil {
		return nil, errors.New("schemas/configmap-v1.json has no metadata schema")
	}
	return props["metadata"], nil
}

func decodeJSONObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return m, nil
}

// schemaKeys are the OpenAPI v3 keywords carried over as they are; every
// other keyword (description, example, x-kubernetes-*) is dropped or, for
// nullable and the x-kubernetes-* ones with a meaning here, translated.
var schemaKeys = []string{
	"type", "format", "enum", "default", "pattern", "required",
	"minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
	"minProperties", "maxProperties", "minimum", "maximum",
	"exclusiveMinimum", "exclusiveMaximum", "multipleOf",
}

// strictSchema converts one OpenAPI v3 structural schema node.
func strictSchema(n map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range schemaKeys {
		if v, ok := n[k]; ok {
			out[k] = v
		}
	}
	// OpenAPI 3.0 exclusive bounds are booleans beside minimum/maximum;
	// JSON schema draft 6 and later want the bound itself.
	for ex, bound := range map[string]string{"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"} {
		if b, ok := out[ex].(bool); ok {
			delete(out, ex)
			if b {
				out[ex] = out[bound]
				delete(out, bound)
			}
		}
	}
	if props, ok := n["properties"].(map[string]any); ok {
		p := map[string]any{}
		for name, sub := range props {
			if m, ok := sub.(map[string]any); ok {
				p[name] = strictSchema(m)
			}
		}
		out["properties"] = p
	}
	if items, ok := n["items"].(map[string]any); ok {
		out["items"] = strictSchema(items)
	}
	switch ap := n["additionalProperties"].(type) {
	case map[string]any:
		out["additionalProperties"] = strictSchema(ap)
	case bool:
		out["additionalProperties"] = ap
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := n[k].([]any); ok {
			var conv []any
			for _, sub := range list {
				if m, ok := sub.(map[string]any); ok {
					conv = append(conv, strictSchema(m))
				}
			}
			out[k] = conv
		}
	}
	if not, ok := n["not"].(map[string]any); ok {
		out["not"] = strictSchema(not)
	}
	preserve, _ := n["x-kubernetes-preserve-unknown-fields"].(bool)
	if out["type"] == "object" && !preserve {
		if _, set := out["additionalProperties"]; !set {
			out["additionalProperties"] = false
		}
	}
	// A set-typed list (x-kubernetes-list-type: set) refuses repeats; a
	// map-typed list's key uniqueness has no JSON schema form (the CRD
	// check in conformance/kubernetes covers it).
	if lt, _ := n["x-kubernetes-list-type"].(string); lt == "set" {
		out["uniqueItems"] = true
	}
	if ios, _ := n["x-kubernetes-int-or-string"].(bool); ios {
		out["type"] = []any{"integer", "string"}
	}
	if nullable, _ := n["nullable"].(bool); nullable {
		switch t := out["type"].(type) {
		case string:
			out["type"] = []any{t, "null"}
		case []any:
			if !slices.Contains(t, any("null")) {
				out["type"] = append(t, "null")
			}
		}
		if e, ok := out["enum"].([]any); ok && !slices.Contains(e, nil) {
			out["enum"] = append(e, nil)
		}
	}
	return out
}

// CustomObject is what a document of a CRD-defined kind decodes to: the
// metadata typed, spec and status (already checked by the CRD's schema)
// kept raw for checks that know the kind. Other top-level fields are
// ignored here: the schema has ruled on them.
type CustomObject struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	ObjectMeta metav1.ObjectMeta `json:"metadata"`
	Spec       json.RawMessage   `json:"spec,omitempty"`
	Status     json.RawMessage   `json:"status,omitempty"`
}
