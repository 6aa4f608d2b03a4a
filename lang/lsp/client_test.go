package lsp

import (
	"context"
	"io"
	"testing"

	"github.com/nbac/nbac/lang/lsp/lsptest"
)

// The protocol tests' vocabulary, from the shared wire client.
type (
	wireClient = lsptest.Client
	wireDiag   = lsptest.Diag
	wireRange  = lsptest.Range
	wirePos    = lsptest.Pos
)

var (
	posOf     = lsptest.PosOf
	docParams = lsptest.DocParams
)

// startServer runs Serve on a pipe pair and returns a client for it.
func startServer(t testing.TB, opts Options) *wireClient {
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = Serve(ctx, pipeRWC{toServer, fromServer}, opts)
	}()
	c := lsptest.New(t, toClient, fromClient)
	t.Cleanup(func() {
		cancel()
		fromClient.Close()
		toClient.Close()
		<-done
	})
	return c
}

type pipeRWC struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func (p pipeRWC) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipeRWC) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p pipeRWC) Close() error                { p.r.Close(); return p.w.Close() }
