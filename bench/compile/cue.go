package compile

import (
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueyaml "cuelang.org/go/encoding/yaml"
)

// cueExport evaluates the CUE definition with data (JSON) as its input and
// exports the objects list as a multi-document YAML stream, the work of
// `cue export -e objects --out yaml`.
func cueExport(def, data []byte) (string, error) {
	ctx := cuecontext.New()
	v := ctx.CompileBytes(def, cue.Filename("estate.cue"))
	if err := v.Err(); err != nil {
		return "", fmt.Errorf("compile definition: %w", err)
	}
	in := ctx.CompileBytes(data, cue.Filename("input.json"))
	if err := in.Err(); err != nil {
		return "", fmt.Errorf("compile data: %w", err)
	}
	v = v.FillPath(cue.ParsePath("input"), in)
	objs := v.LookupPath(cue.ParsePath("objects"))
	if err := objs.Validate(cue.Concrete(true)); err != nil {
		return "", fmt.Errorf("evaluate: %w", err)
	}
	it, err := objs.List()
	if err != nil {
		return "", err
	}
	out, err := cueyaml.EncodeStream(it)
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	return string(out), nil
}
