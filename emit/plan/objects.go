package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// object is one Kubernetes document of a manifest, decoded generically:
// plan compares what is written, whatever kinds an emitter adds later.
type object struct {
	Kind, Namespace, Name string
	Body                  map[string]any
}

func (o object) key() string { return o.Kind + "/" + o.Namespace + "/" + o.Name }

// parseObjects splits a multi-document YAML file and decodes each document.
// Numbers are kept as json.Number so that they print as written. Empty
// documents (a leading or trailing `---`) are skipped.
func parseObjects(data []byte) ([]object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []object
	seen := map[string]bool{}
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		var body map[string]any
		if err := yaml.Unmarshal(doc, &body, func(d *json.Decoder) *json.Decoder { d.UseNumber(); return d }); err != nil {
			return nil, err
		}
		if body == nil {
			continue
		}
		o := object{Body: body}
		o.Kind, _ = body["kind"].(string)
		if md, ok := body["metadata"].(map[string]any); ok {
			o.Name, _ = md["name"].(string)
			o.Namespace, _ = md["namespace"].(string)
		}
		if o.Kind == "" || o.Name == "" {
			return nil, fmt.Errorf("document %d has no kind or metadata.name", len(out)+1)
		}
		if seen[o.key()] {
			return nil, fmt.Errorf("%s %s appears twice", o.Kind, o.Name)
		}
		seen[o.key()] = true
		out = append(out, o)
	}
	return out, nil
}
