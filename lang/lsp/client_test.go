package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"sync"
	"testing"
	"time"
)

// wait is how long a test waits for a reply or a notification: generous,
// because the verdict must not depend on the machine's speed.
const wait = 2 * time.Minute

// wireClient drives a server over the wire format editors use
// (Content-Length framed JSON-RPC 2.0), written by hand here so that the
// test checks the bytes, not a library's view of them.
type wireClient struct {
	t       testing.TB
	w       io.WriteCloser
	mu      sync.Mutex
	nextID  int
	replies map[int]chan json.RawMessage
	errors  map[int]chan string
	notes   chan note
}

type note struct {
	Method string
	Params json.RawMessage
}

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
	c := &wireClient{t: t, w: fromClient, replies: map[int]chan json.RawMessage{}, errors: map[int]chan string{}, notes: make(chan note, 1000)}
	go c.read(toClient)
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

func (c *wireClient) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		hdr, err := textproto.NewReader(br).ReadMIMEHeader()
		if err != nil {
			return
		}
		n, err := strconv.Atoi(hdr.Get("Content-Length"))
		if err != nil {
			c.t.Errorf("bad Content-Length header %q", hdr.Get("Content-Length"))
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		var msg struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			c.t.Errorf("server sent invalid JSON %q: %v", body, err)
			return
		}
		switch {
		case msg.Method != "":
			c.notes <- note{msg.Method, msg.Params}
		case msg.ID != nil:
			c.mu.Lock()
			rc, ec := c.replies[*msg.ID], c.errors[*msg.ID]
			c.mu.Unlock()
			if msg.Error != nil {
				ec <- msg.Error.Message
			} else {
				rc <- msg.Result
			}
		}
	}
}

func (c *wireClient) send(msg map[string]any) {
	msg["jsonrpc"] = "2.0"
	b, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(b), b); err != nil {
		c.t.Fatalf("write to server: %v", err)
	}
}

// call sends a request and decodes its result into out; a JSON-RPC error
// fails the test.
func (c *wireClient) call(method string, params any, out any) {
	c.t.Helper()
	if msg := c.callErr(method, params, out); msg != "" {
		c.t.Fatalf("%s: server error %q", method, msg)
	}
}

func (c *wireClient) callErr(method string, params any, out any) string {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	rc, ec := make(chan json.RawMessage, 1), make(chan string, 1)
	c.replies[id], c.errors[id] = rc, ec
	c.mu.Unlock()
	c.send(map[string]any{"id": id, "method": method, "params": params})
	select {
	case r := <-rc:
		if out != nil {
			if err := json.Unmarshal(r, out); err != nil {
				c.t.Fatalf("%s: decoding %s: %v", method, r, err)
			}
		}
		return ""
	case msg := <-ec:
		return msg
	case <-time.After(wait):
		c.t.Fatalf("no reply to %s after %s", method, wait)
	}
	return ""
}

func (c *wireClient) notify(method string, params any) {
	c.send(map[string]any{"method": method, "params": params})
}

// diagnostics waits for the next publishDiagnostics for uri.
func (c *wireClient) diagnostics(uri string) []wireDiag {
	c.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case n := <-c.notes:
			if n.Method != "textDocument/publishDiagnostics" {
				continue
			}
			var p struct {
				URI         string     `json:"uri"`
				Diagnostics []wireDiag `json:"diagnostics"`
			}
			if err := json.Unmarshal(n.Params, &p); err != nil {
				c.t.Fatal(err)
			}
			if p.URI == uri {
				return p.Diagnostics
			}
		case <-deadline:
			c.t.Fatalf("no diagnostics for %s after %s", uri, wait)
		}
	}
}

type wireDiag struct {
	Range    wireRange `json:"range"`
	Severity int       `json:"severity"`
	Message  string    `json:"message"`
}

type wireRange struct {
	Start wirePos `json:"start"`
	End   wirePos `json:"end"`
}

type wirePos struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

func (c *wireClient) initialize(root string) map[string]any {
	var res map[string]any
	c.call("initialize", map[string]any{"processId": nil, "rootUri": uriOf(root), "capabilities": map[string]any{}}, &res)
	c.notify("initialized", map[string]any{})
	return res
}
