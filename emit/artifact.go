package emit

import "github.com/hashicorp/hcl/v2"

// Artifact is one file an emitter produces.
type Artifact struct {
	// Path is slash-separated and relative to the output directory, e.g.
	// "kubernetes/api.yaml" or "haproxy/edge.cfg".
	Path string
	Data []byte
	// Origin is the block the file comes from, for plan output
	// (`service "api"`), and Range where it was declared (nil for
	// model.json, which comes from the whole configuration).
	Origin string
	Range  *hcl.Range
}
