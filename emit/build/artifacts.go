package build

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/haproxy"
	"github.com/nbac/nbac/emit/kubernetes"
	"github.com/nbac/nbac/emit/nginx"
	"github.com/nbac/nbac/schema"
)

// ModelPath is where model.json goes inside the output directory.
const ModelPath = "model.json"

// emitter is one target's pure emit function.
type emitter struct {
	name string
	emit func(*schema.Model) ([]emit.Artifact, hcl.Diagnostics)
}

// emitters lists every target, in a fixed order so that diagnostics come
// out in the same order on every run.
var emitters = []emitter{
	{"kubernetes", kubernetes.Emit},
	{"haproxy", haproxy.Emit},
	{"nginx", nginx.Emit},
}

// Artifacts returns everything a build of m writes: model.json followed by
// each emitter's artifacts, sorted by path. Two artifacts with one path is
// an error (it would be a bug in an emitter or two blocks whose names map to
// one file), reported with both origins.
func Artifacts(m *schema.Model) ([]emit.Artifact, hcl.Diagnostics) {
	// model.json and the emitters only read m, so they run side by side;
	// results are gathered by index, so the order of artifacts and
	// diagnostics does not depend on scheduling.
	type result struct {
		arts  []emit.Artifact
		diags hcl.Diagnostics
	}
	results := make([]result, len(emitters))
	var wg sync.WaitGroup
	for i, e := range emitters {
		wg.Go(func() { results[i].arts, results[i].diags = e.emit(m) })
	}
	data, err := schema.Encode(m)
	wg.Wait()
	var diags hcl.Diagnostics
	if err != nil {
		// Encode only fails on values encoding/json cannot represent,
		// which the schema types never hold: this is a bug, not bad input.
		return nil, diags.Append(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot encode model.json",
			Detail:   fmt.Sprintf("%s. This is a bug in nbac; please report it.", err),
		})
	}
	arts := []emit.Artifact{{Path: ModelPath, Data: data, Origin: "configuration"}}
	for _, r := range results {
		diags = append(diags, r.diags...)
		arts = append(arts, r.arts...)
	}
	slices.SortStableFunc(arts, func(a, b emit.Artifact) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(arts); i++ {
		a, b := arts[i-1], arts[i]
		if a.Path != b.Path {
			continue
		}
		diags = diags.Append(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Two blocks produce the same file",
			Detail: fmt.Sprintf("Both %s and %s would be written to %s. Rename one of them.",
				describe(a), describe(b), a.Path),
			Subject: b.Range,
		})
	}
	for _, a := range arts {
		if err := CheckPath(a.Path); err != nil {
			diags = diags.Append(&hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid artifact path",
				Detail:   fmt.Sprintf("%s produced %v. This is a bug in nbac; please report it.", a.Origin, err),
				Subject:  a.Range,
			})
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return arts, diags
}

// describe names an artifact's origin with its position when known:
// `service "api" (infra.hcl:12)`.
func describe(a emit.Artifact) string {
	if a.Range == nil {
		return a.Origin
	}
	return fmt.Sprintf("%s (%s:%d)", a.Origin, a.Range.Filename, a.Range.Start.Line)
}
