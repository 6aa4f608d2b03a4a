package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/sourcegraph/jsonrpc2"
	"github.com/tliron/glsp"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

// Options configure a server.
type Options struct {
	// Environ is the environment configurations are loaded with (see
	// lang.Options.Environ).
	Environ []string
	// Check runs further checks on a valid model; the CLI passes the
	// emitters', so that the editor reports what `nbac validate` reports.
	Check func(*schema.Model) hcl.Diagnostics
	// Version is reported in the initialize reply.
	Version string
}

// Server is one client's session: its open documents and what the last
// load of each configuration found.
type Server struct {
	opts Options

	mu   sync.Mutex
	docs map[string]*text // open documents by path
	// published are, by configuration directory, the files diagnostics
	// were last sent for, so that fixed files get an empty list.
	published map[string]map[string]bool
	// loaded is the last load of each configuration directory.
	loaded map[string]*lang.Result
	idx    indexCache
	notify func(method string, params any)
	// pending and wake feed Serve's checker goroutine (schedule).
	pending map[string]bool
	wake    chan struct{}
}

// New returns a server that sends notifications with notify (nil: none).
func New(opts Options, notify func(method string, params any)) *Server {
	if notify == nil {
		notify = func(string, any) {}
	}
	return &Server{
		opts: opts, notify: notify,
		docs:      map[string]*text{},
		published: map[string]map[string]bool{},
		loaded:    map[string]*lang.Result{},
		idx:       indexCache{files: map[string]*indexedFile{}},
		pending:   map[string]bool{},
		wake:      make(chan struct{}, 1),
	}
}

// Serve runs the protocol on rwc (Content-Length framed JSON-RPC, as on
// stdio) until the client sends exit or closes the stream. Requests are
// answered in order; diagnostics are computed beside them by one checker
// goroutine (schedule), so a completion never waits for a queue of loads.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	var conn *jsonrpc2.Conn
	s := New(opts, func(method string, params any) {
		if conn != nil {
			_ = conn.Notify(ctx, method, params)
		}
	})
	h := s.handler()
	conn = jsonrpc2.NewConn(ctx, jsonrpc2.NewBufferedStream(rwc, jsonrpc2.VSCodeObjectCodec{}),
		jsonrpc2.HandlerWithError(func(ctx context.Context, c *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
			return dispatch(h, c, req)
		}))
	stop, checker := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(checker)
		s.runChecks(stop)
	}()
	select {
	case <-conn.DisconnectNotify():
	case <-ctx.Done():
		conn.Close()
	}
	close(stop)
	<-checker
	return nil
}

// dispatch hands one request to glsp's protocol handler (which decodes
// the parameters for each method), as glsp's own server does, and turns
// panics into errors.
func dispatch(h *protocol.Handler, c *jsonrpc2.Conn, req *jsonrpc2.Request) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInternalError, Message: fmt.Sprintf("nbac lsp: internal error in %s: %v\n%s", req.Method, p, debug.Stack())}
		}
	}()
	gctx := &glsp.Context{Method: req.Method}
	if req.Params != nil {
		gctx.Params = *req.Params
	} else {
		gctx.Params = json.RawMessage("null")
	}
	r, validMethod, validParams, err := h.Handle(gctx)
	switch {
	case req.Method == protocol.MethodExit:
		return nil, c.Close()
	case !validMethod:
		if req.Notif {
			return nil, nil // unknown notifications ($/...) are ignored, as the protocol says
		}
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "method not supported: " + req.Method}
	case !validParams:
		msg := "invalid parameters"
		if err != nil {
			msg = err.Error()
		}
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: msg}
	case err != nil:
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: err.Error()}
	}
	return r, nil
}

func (s *Server) handler() *protocol.Handler {
	return &protocol.Handler{
		Initialize:  s.initialize,
		Initialized: func(*glsp.Context, *protocol.InitializedParams) error { return nil },
		Shutdown:    func(*glsp.Context) error { return nil },
		Exit:        func(*glsp.Context) error { return nil },
		SetTrace:    func(*glsp.Context, *protocol.SetTraceParams) error { return nil },

		TextDocumentDidOpen: func(_ *glsp.Context, p *protocol.DidOpenTextDocumentParams) error {
			s.schedule(s.open(string(p.TextDocument.URI), p.TextDocument.Text))
			return nil
		},
		TextDocumentDidChange: func(_ *glsp.Context, p *protocol.DidChangeTextDocumentParams) error {
			s.schedule(s.change(string(p.TextDocument.URI), p.ContentChanges))
			return nil
		},
		TextDocumentDidSave: func(_ *glsp.Context, p *protocol.DidSaveTextDocumentParams) error {
			if p.Text != nil {
				s.schedule(s.open(string(p.TextDocument.URI), *p.Text))
			}
			return nil
		},
		TextDocumentDidClose: func(_ *glsp.Context, p *protocol.DidCloseTextDocumentParams) error {
			s.schedule(s.close(string(p.TextDocument.URI)))
			return nil
		},
		TextDocumentCompletion: func(_ *glsp.Context, p *protocol.CompletionParams) (any, error) {
			return s.Completion(string(p.TextDocument.URI), p.Position), nil
		},
		TextDocumentHover: func(_ *glsp.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
			return s.Hover(string(p.TextDocument.URI), p.Position), nil
		},
		TextDocumentDefinition: func(_ *glsp.Context, p *protocol.DefinitionParams) (any, error) {
			return s.Definition(string(p.TextDocument.URI), p.Position), nil
		},
		TextDocumentReferences: func(_ *glsp.Context, p *protocol.ReferenceParams) ([]protocol.Location, error) {
			return s.References(string(p.TextDocument.URI), p.Position, p.Context.IncludeDeclaration), nil
		},
		TextDocumentDocumentSymbol: func(_ *glsp.Context, p *protocol.DocumentSymbolParams) (any, error) {
			return s.Symbols(string(p.TextDocument.URI)), nil
		},
		TextDocumentFormatting: func(_ *glsp.Context, p *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
			return s.Format(string(p.TextDocument.URI)), nil
		},
	}
}

func (s *Server) initialize(*glsp.Context, *protocol.InitializeParams) (any, error) {
	yes := true
	full := protocol.TextDocumentSyncKindFull
	version := s.opts.Version
	return protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync:           protocol.TextDocumentSyncOptions{OpenClose: &yes, Change: &full, Save: true},
			CompletionProvider:         &protocol.CompletionOptions{TriggerCharacters: []string{".", "\"", "="}},
			HoverProvider:              true,
			DefinitionProvider:         true,
			ReferencesProvider:         true,
			DocumentSymbolProvider:     true,
			DocumentFormattingProvider: true,
		},
		ServerInfo: &protocol.InitializeResultServerInfo{Name: "nbac", Version: &version},
	}, nil
}

// Open records a document's full text and publishes the diagnostics of its
// configuration.
func (s *Server) Open(uri, src string) { s.check(s.open(uri, src)) }

// Change applies content changes in order and publishes diagnostics.
func (s *Server) Change(uri string, changes []any) { s.check(s.change(uri, changes)) }

// Close forgets a document: its configuration is checked again from the
// disk.
func (s *Server) Close(uri string) { s.check(s.close(uri)) }

// open, change and close update the documents and return the path whose
// configuration needs a check ("" for none).
func (s *Server) open(uri, src string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := pathOf(uri)
	if path == "" {
		return ""
	}
	s.docs[path] = newText([]byte(src))
	return path
}

// change accepts whole-document and ranged changes, whatever the client
// was told.
func (s *Server) change(uri string, changes []any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := pathOf(uri)
	doc := s.docs[path]
	if doc == nil {
		return ""
	}
	for _, c := range changes {
		switch c := c.(type) {
		case protocol.TextDocumentContentChangeEventWhole:
			doc = newText([]byte(c.Text))
		case protocol.TextDocumentContentChangeEvent:
			if c.Range == nil {
				doc = newText([]byte(c.Text))
				continue
			}
			start, end := doc.offset(c.Range.Start), doc.offset(c.Range.End)
			if end < start {
				start, end = end, start
			}
			src := make([]byte, 0, len(doc.src)-(end-start)+len(c.Text))
			src = append(append(append(src, doc.src[:start]...), c.Text...), doc.src[end:]...)
			doc = newText(src)
		}
	}
	s.docs[path] = doc
	return path
}

func (s *Server) close(uri string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := pathOf(uri)
	if _, ok := s.docs[path]; !ok {
		return ""
	}
	delete(s.docs, path)
	return path
}

// schedule asks the checker goroutine (Serve's) for a check of path's
// configuration. Requests made while a check runs are merged: after a burst
// of keystrokes the configuration is loaded once more, with the last text,
// instead of once per keystroke, and requests are never kept waiting
// behind a queue of loads.
func (s *Server) schedule(path string) {
	if path == "" {
		return
	}
	s.mu.Lock()
	s.pending[path] = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // already woken; it will see path
	}
}

// runChecks is the checker goroutine: it checks what schedule asked for,
// one configuration at a time, until stop is closed.
func (s *Server) runChecks(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		paths := make([]string, 0, len(s.pending))
		for p := range s.pending {
			paths = append(paths, p)
		}
		clear(s.pending)
		s.mu.Unlock()
		sort.Strings(paths)
		for _, p := range paths {
			s.checkSafely(p)
		}
	}
}

// checkSafely is check for the checker goroutine, where a panic would end
// the process: it becomes an error diagnostic on the file instead (the
// compiler promises never to panic; this keeps a broken promise from
// taking the editor's server down).
func (s *Server) checkSafely(path string) {
	defer func() {
		if p := recover(); p != nil {
			sev, source := protocol.DiagnosticSeverityError, "nbac"
			s.notify(protocol.ServerTextDocumentPublishDiagnostics, protocol.PublishDiagnosticsParams{URI: uriOf(path), Diagnostics: []protocol.Diagnostic{{
				Severity: &sev, Source: &source,
				Message: fmt.Sprintf("nbac lsp: internal error while checking this configuration (a bug in nbac; please report it): %v", p),
			}}})
		}
	}()
	s.check(path)
}

// doc is the open document at uri, or the file on disk, or nil.
func (s *Server) doc(uri string) (string, *text) {
	path := pathOf(uri)
	if d := s.docs[path]; d != nil {
		return path, d
	}
	if src, err := readFile(path); err == nil {
		return path, newText(src)
	}
	return path, nil
}
