package lang

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// withoutFailedBlocks drops the diagnostics located in a top-level block
// that failed to lower. A block's extent is taken as running from its
// header to the next top-level block's header in the same file (or the
// end of the file), which holds for native and JSON syntax alike without
// needing the body's own range.
//
// Without a project block (missing, or left out for a structural mistake,
// both already reported) the project's checks, which are the ones without
// a range, would only repeat that.
func (l *loader) withoutFailedBlocks(diags hcl.Diagnostics) hcl.Diagnostics {
	if l.cfg.project == nil {
		kept := diags[:0:0]
		for _, d := range diags {
			if d.Subject != nil {
				kept = append(kept, d)
			}
		}
		diags = kept
	}
	if len(l.failed) == 0 || len(diags) == 0 {
		return diags
	}
	starts := map[string][]int{} // file -> sorted header offsets
	add := func(b *hcl.Block) {
		if b != nil {
			starts[b.DefRange.Filename] = append(starts[b.DefRange.Filename], b.DefRange.Start.Byte)
		}
	}
	add(l.cfg.project)
	for _, b := range l.cfg.variables {
		add(b)
	}
	for _, bs := range l.cfg.blocks {
		for _, b := range bs {
			add(b)
		}
	}
	for _, s := range starts {
		sort.Ints(s)
	}
	type extent struct {
		file       string
		start, end int // end < 0: to the end of the file
	}
	failed := make([]extent, 0, len(l.failed))
	for _, b := range l.failed {
		e := extent{file: b.DefRange.Filename, start: b.DefRange.Start.Byte, end: -1}
		s := starts[e.file]
		if i := sort.SearchInts(s, e.start+1); i < len(s) {
			e.end = s[i]
		}
		failed = append(failed, e)
	}
	out := diags[:0:0]
	for _, d := range diags {
		inFailed := false
		if d.Subject != nil {
			for _, e := range failed {
				at := d.Subject.Start.Byte
				if d.Subject.Filename == e.file && at >= e.start && (e.end < 0 || at < e.end) {
					inFailed = true
					break
				}
			}
		}
		if !inFailed {
			out = append(out, d)
		}
	}
	return out
}
