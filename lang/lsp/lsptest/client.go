package lsptest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// Wait is how long a test waits for a reply or a notification: generous,
// because the verdict must not depend on the machine's speed.
const Wait = 2 * time.Minute

// Client drives a server over the wire format editors use
// (Content-Length framed JSON-RPC 2.0), written by hand here so that the
// test checks the bytes, not a library's view of them.
type Client struct {
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

// New returns a client that reads the server's messages from r and writes
// its own to w.
func New(t testing.TB, r io.Reader, w io.WriteCloser) *Client {
	c := &Client{t: t, w: w, replies: map[int]chan json.RawMessage{}, errors: map[int]chan string{}, notes: make(chan note, 1000)}
	go c.read(r)
	return c
}

func (c *Client) read(r io.Reader) {
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

func (c *Client) send(msg map[string]any) {
	msg["jsonrpc"] = "2.0"
	b, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n%s", len(b), b); err != nil {
		c.t.Fatalf("write to server: %v", err)
	}
}

// Call sends a request and decodes its result into out; a JSON-RPC error
// fails the test.
func (c *Client) Call(method string, params any, out any) {
	c.t.Helper()
	if msg := c.CallErr(method, params, out); msg != "" {
		c.t.Fatalf("%s: server error %q", method, msg)
	}
}

func (c *Client) CallErr(method string, params any, out any) string {
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
	case <-time.After(Wait):
		c.t.Fatalf("no reply to %s after %s", method, Wait)
	}
	return ""
}

func (c *Client) Notify(method string, params any) {
	c.send(map[string]any{"method": method, "params": params})
}

// Diagnostics waits for the next publishDiagnostics for uri.
func (c *Client) Diagnostics(uri string) []Diag {
	c.t.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case n := <-c.notes:
			if n.Method != "textDocument/publishDiagnostics" {
				continue
			}
			var p struct {
				URI         string `json:"uri"`
				Diagnostics []Diag `json:"diagnostics"`
			}
			if err := json.Unmarshal(n.Params, &p); err != nil {
				c.t.Fatal(err)
			}
			if p.URI == uri {
				return p.Diagnostics
			}
		case <-deadline:
			c.t.Fatalf("no diagnostics for %s after %s", uri, Wait)
		}
	}
}

type Diag struct {
	Range    Range  `json:"range"`
	Severity int    `json:"severity"`
	Message  string `json:"message"`
}

type Range struct {
	Start Pos `json:"start"`
	End   Pos `json:"end"`
}

type Pos struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

func (c *Client) Initialize(rootURI string) map[string]any {
	var res map[string]any
	c.Call("initialize", map[string]any{"processId": nil, "rootUri": rootURI, "capabilities": map[string]any{}}, &res)
	c.Notify("initialized", map[string]any{})
	return res
}

// Open sends didOpen of uri with src.
func (c *Client) Open(uri, src string) {
	c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "hcl", "version": 1, "text": src}})
}

// Change sends didChange of uri: the whole new text.
func (c *Client) Change(uri string, version int, src string) {
	c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []map[string]any{{"text": src}},
	})
}

// DocParams are a request's textDocument and position.
func DocParams(uri string, p Pos) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p}
}

// URI is the file:// URI of an absolute path.
func URI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// PosOf is the LSP position of the n-th byte after the first occurrence of
// needle in src, counted independently of any server: UTF-16 units of the
// line's text before it.
func PosOf(t testing.TB, src, needle string, n int) Pos {
	t.Helper()
	i := strings.Index(src, needle)
	if i < 0 {
		t.Fatalf("%q not in source", needle)
	}
	off := i + n
	line := strings.Count(src[:off], "\n")
	lineStart := strings.LastIndex(src[:off], "\n") + 1
	return Pos{Line: line, Character: len(utf16.Encode([]rune(src[lineStart:off])))}
}
