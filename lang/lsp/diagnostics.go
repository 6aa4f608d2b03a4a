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

// overlay is every open document, for lang.Options.Overlay.
func (s *Server) overlay() map[string][]byte {
	o := make(map[string][]byte, len(s.docs))
	for p, d := range s.docs {
		o[p] = d.src
	}
	return o
}

// load compiles the configuration in dir with the open buffers, as `nbac
// validate` would, and keeps the result for hover.
func (s *Server) load(dir string) *lang.Result {
	res := lang.Load(dir, lang.Options{Environ: s.opts.Environ, Overlay: s.overlay()})
	if res.Model != nil && !res.Diags.HasErrors() && s.opts.Check != nil {
		res.Diags = append(res.Diags, s.opts.Check(res.Model)...)
	}
	s.loaded[dir] = res
	return res
}

// check publishes the diagnostics of the configuration path belongs to:
// every file of the directory that has some, and an empty list for each
// file that had some last time.
func (s *Server) check(path string) {
	dir := filepath.Dir(path)
	byFile := map[string][]protocol.Diagnostic{}
	texts := map[string]*text{} // each file's lines, found once per check
	if isConfig(path) {
		res := s.load(dir)
		for _, d := range res.Diags {
			file := path // a diagnostic about the configuration as a whole
			if d.Subject != nil && d.Subject.Filename != "" {
				file = filepath.Clean(d.Subject.Filename)
			}
			byFile[file] = append(byFile[file], s.toProtocol(d, file, res.Files, texts))
		}
	} else if d := s.docs[path]; d != nil && strings.HasSuffix(path, ".nbvars") {
		_, diags := hclsyntax.ParseConfig(d.src, path, hcl.InitialPos)
		for _, diag := range diags {
			byFile[path] = append(byFile[path], s.toProtocol(diag, path, nil, texts))
		}
		dir = path // var files are their own unit
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
	if _, open := s.docs[path]; open && !now[path] && !prev[path] {
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
// loader read (the buffer for an open file); texts caches each file's lines.
func (s *Server) toProtocol(d *hcl.Diagnostic, file string, files map[string]*hcl.File, texts map[string]*text) protocol.Diagnostic {
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
	case s.docs[file] != nil:
		t = s.docs[file]
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
