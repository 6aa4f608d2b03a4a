// Package lsp measures the language server's latency on large estates:
// from a didChange of one file of the bench/estate configuration to the
// diagnostics published for it (docs/performance.md, "Language server").
package lsp
