// Package lsptest is a Language Server Protocol client for tests: it
// writes and reads the wire format editors use (Content-Length framed
// JSON-RPC 2.0) by hand, so that tests check the bytes a server exchanges,
// over a pipe (lang/lsp) or a real process's stdio (cmd/nbac).
package lsptest
