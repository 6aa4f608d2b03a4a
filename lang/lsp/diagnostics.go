package lsp

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/nbac/nbac/lang"
)

var readFile = os.ReadFile

// isConfig says whether a file belongs to a directory's configuration (the
// names lang.Load reads); other HCL files (.nbvars) get syntax checks only.
func isConfig(path string) bool {
	base := filepath.Base(path)
	return !strings.HasPrefix(base, ".") && (strings.HasSuffix(base, ".hcl") || strings.HasSuffix(base, ".hcl.json"))
}

// check publishes the diagnostics of the configuration path belongs to:
// every file of the directory that has some, and an empty list for each
// file that had some last time. The configuration is loaded, as `nbac
// validate` would load it with the open buffers over the disk, without
// holding the lock, from a snapshot of the buffers, and located with that
// snapshot's bytes.
func (s *Server) check(path string) {
	if path == "" {
		return
	}
	s.mu.Lock()
	texts := make(map[string]*text, len(s.docs)) // each file's lines, found once
	overlay := make(map[string][]byte, len(s.docs))
	for p, d := range s.docs {
		texts[p], overlay[p] = d, d.src
	}
	s.mu.Unlock()

	dir := filepath.Dir(path)
	byFile := map[string][]protocol.Diagnostic{}
	var res *lang.Result
	if isConfig(path) {
		res = lang.Load(dir, lang.Options{Environ: s.opts.Environ, Overlay: overlay})
		if res.Model != nil && !res.Diags.HasErrors() && s.opts.Check != nil {
			res.Diags = append(res.Diags, s.opts.Check(res.Model)...)
		}
		for _, d := range res.Diags {
			file := path // a diagnostic about the configuration as a whole
			if d.Subject != nil && d.Subject.Filename != "" {
				file = filepath.Clean(d.Subject.Filename)
			}
			byFile[file] = append(byFile[file], toProtocol(d, file, res.Files, texts))
		}
	} else if d := texts[path]; d != nil && strings.HasSuffix(path, ".nbvars") {
		_, diags := hclsyntax.ParseConfig(d.src, path, hcl.InitialPos)
		for _, diag := range diags {
			byFile[path] = append(byFile[path], toProtocol(diag, path, nil, texts))
		}
		dir = path // var files are their own unit
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if res != nil {
		s.loaded[dir] = res // for hover's values
	}
	prev := s.published[dir]
	now := map[string]bool{}
	files := make([]string, 0, len(byFile)+len(prev))
	for f := range byFile {
		files = append(files, f)
		now[f] = true
	}
	for f := range prev {
		if !now[f] {
			files = append(files, f)
		}
	}
	if texts[path] != nil && !now[path] && !prev[path] {
		files = append(files, path) // a clean buffer hears so once
	}
	sort.Strings(files)
	for _, f := range files {
		ds := byFile[f]
		if ds == nil {
			ds = []protocol.Diagnostic{}
		}
		s.notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: uriOf(f), Diagnostics: ds})
	}
	s.published[dir] = now
}

// toProtocol converts one HCL diagnostic, locating it with the bytes the
// loader read: the buffers' snapshot in texts, which also caches the lines
// of the files read from the disk.
func toProtocol(d *hcl.Diagnostic, file string, files map[string]*hcl.File, texts map[string]*text) protocol.Diagnostic {
	sev := protocol.DiagnosticSeverityError
	if d.Severity == hcl.DiagWarning {
		sev = protocol.DiagnosticSeverityWarning
	}
	source := "nbac"
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	out := protocol.Diagnostic{Severity: &sev, Source: &source, Message: msg}
	if d.Subject == nil {
		return out
	}
	t := texts[file]
	switch {
	case t != nil:
	case files[d.Subject.Filename] != nil:
		t = newText(files[d.Subject.Filename].Bytes)
	default:
		src, _ := readFile(file)
		t = newText(src)
	}
	texts[file] = t
	out.Range = t.rangeOf(*d.Subject)
	return out
}
