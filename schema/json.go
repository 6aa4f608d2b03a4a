package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Encode returns model.json: indented, keys in a fixed order (struct order;
// maps sorted by encoding/json), ending in a newline. The same model always
// encodes to the same bytes.
func Encode(m *Model) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads model.json, refusing unknown fields and other versions so a
// runtime never half-understands a model written by a newer nbac.
func Decode(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("model.json: %w", err)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("model.json: version %q is not supported (this nbac reads version %q); rebuild it with this nbac", m.Version, Version)
	}
	return &m, nil
}
