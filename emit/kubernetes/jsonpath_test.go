package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// renderViaJSON is how render worked before objtree.go: encoding/json
// marshals the object, parseObject reads that text into the tree, and
// writeTree writes it. It is the reference the reflect walk must match
// byte for byte (objtree_test.go).
func renderViaJSON(out *bytes.Buffer, obj any) error {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return err
	}
	var t tree
	if err := t.parseObject(raw.String()); err != nil {
		return err
	}
	writeTree(out, &t)
	return nil
}

// parseObject parses src, one JSON object (or null) as encoding/json writes it (no
// insignificant white space but a final newline), cleaned as build cleans:
// status left out at the top, nulls and empty noiseKeys objects dropped
// from objects, numbers turned into int64 (an error if not integral).
func (t *tree) parseObject(src string) error {
	t.src, t.pos = src, 0
	t.nodes, t.stack = t.nodes[:0], t.stack[:0]
	if len(src) == 0 || (src[0] != '{' && !strings.HasPrefix(src, "null")) {
		return fmt.Errorf("not a JSON object")
	}
	v, isNull, err := t.value(0)
	if err != nil {
		return err
	}
	t.root, t.null = v, isNull
	if isNull {
		// A nil pointer: nothing to write, as the map decoding gave.
		t.root = node{kind: kindObject}
	}
	return nil
}
