// Package lsp is nbac's language server (Language Server Protocol over a
// stream, `nbac lsp` on stdio). It owns editor-facing views of the
// language: diagnostics of the unsaved buffers together with the other
// files of their configuration (lang.Load with Options.Overlay, then the
// checks the caller adds, which for the CLI are the emitters', so the
// editor shows exactly what `nbac validate` says), completion, hover,
// go-to-definition, find-references, document symbols and formatting.
//
// It knows no block by name: block types, attributes and nested blocks come
// from lang.Schema (the schemas the loader decodes with), reference roots
// from lang.ReferenceRoots, and attribute documentation and enum values
// from docs/language.md (refdocs.go), so a new block reaches the editor
// when it is in the schema and documented.
//
// Positions: LSP counts UTF-16 code units, HCL bytes; position.go converts
// with the document's bytes and never uses HCL's character columns.
//
// The wire is github.com/tliron/glsp's protocol types and handler over
// github.com/sourcegraph/jsonrpc2; requests are handled one at a time, in
// order, so a completion always sees the edits sent before it. Every
// handler recovers from panics into an error reply: no input may bring the
// server down.
package lsp
