package graphhtml

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/nbac/nbac/emit/graph"
	"github.com/nbac/nbac/emit/graph/graphtest"
	"github.com/nbac/nbac/lang"
)

// deadline bounds one page's whole check. It is generous: the machine may
// be saturated, and no verdict depends on it, only a hang.
const deadline = 3 * time.Minute

// browser starts headless Chromium and returns a context to drive it and
// the console errors, exceptions and CSP violations it reports.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	graphtest.RequireTool(t, "graphviz", graph.DotProgram)
	bin := graphtest.RequireTool(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 800),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, deadline)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	b := &browser{ctx: ctx}
	listen := func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value))
				}
				b.errors = append(b.errors, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.errors = append(b.errors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
				b.errors = append(b.errors, fmt.Sprintf("log %s (%s): %s", e.Entry.Level, e.Entry.Source, e.Entry.Text))
			}
		}
	}
	if err := chromedp.Listen(ctx, listen); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enabling the log domain: %v", err)
	}
	return b
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// writePage draws g as the HTML page, with the real dot, into a file.
func writePage(t *testing.T, g *graph.Graph) string {
	t.Helper()
	var dot bytes.Buffer
	if err := graph.WriteDOT(&dot, g, graph.ByKind); err != nil {
		t.Fatal(err)
	}
	svg, err := graph.Render(context.Background(), dot.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := graph.WriteHTML(&page, g, svg); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "graph.html")
	if err := os.WriteFile(p, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// open loads the page and waits for its script to finish setting up.
func (b *browser) open(t *testing.T, file string) {
	t.Helper()
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate("file://"+file),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	); err != nil {
		t.Fatalf("loading the page: %v (console: %v)", err, b.consoleErrors())
	}
}

// nodeBox is where a block is drawn, in CSS pixels, and what the SVG says.
type nodeBox struct {
	ID                  string
	X, Y, Width, Height float64
	Inside              bool // within the visible canvas
}

func (b *browser) nodeBoxes(t *testing.T) []nodeBox {
	t.Helper()
	js := `(() => {
		const c = document.getElementById('canvas').getBoundingClientRect();
		return Array.from(document.querySelectorAll('#canvas svg g.node')).map(g => {
			const r = g.getBoundingClientRect();
			return {ID: g.id, X: r.x, Y: r.y, Width: r.width, Height: r.height,
				Inside: r.width > 0 && r.height > 0 && r.left >= c.left - 1 && r.right <= c.right + 1 && r.top >= c.top - 1 && r.bottom <= c.bottom + 1};
		});
	})()`
	boxes, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]nodeBox](js))
	if err != nil {
		t.Fatal(err)
	}
	return boxes
}

// checkEveryNode: one drawn, visible, non-empty element per block.
func checkEveryNode(t *testing.T, b *browser, g *graph.Graph) map[string]nodeBox {
	t.Helper()
	boxes := b.nodeBoxes(t)
	if len(boxes) != len(g.Nodes) {
		t.Fatalf("the page draws %d nodes; the graph has %d", len(boxes), len(g.Nodes))
	}
	byID := map[string]nodeBox{}
	for _, bx := range boxes {
		byID[bx.ID] = bx
	}
	for i, n := range g.Nodes {
		bx, ok := byID[fmt.Sprintf("block%d", i)]
		if !ok || !bx.Inside {
			t.Errorf("%s is not drawn inside the canvas: %+v", n.ID, bx)
		}
	}
	return byID
}

// click presses and releases the mouse on a block, as a user does.
func (b *browser) click(t *testing.T, bx nodeBox) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.MouseClickXY(bx.X+bx.Width/2, bx.Y+bx.Height/2)); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatal(err)
	}
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).textContent`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (b *browser) viewBox(t *testing.T) string {
	t.Helper()
	vb, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#canvas svg').getAttribute('viewBox')`))
	if err != nil {
		t.Fatal(err)
	}
	return vb
}

func loadNBA(t *testing.T) *graph.Graph {
	t.Helper()
	wd, _ := os.Getwd()
	root := filepath.Join(wd, "..", "..")
	t.Chdir(root) // file names as a user at the repository root sees them
	res := lang.Load("examples/nba", lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	return graph.Build(res.Model)
}

// TestNBAPage: examples/nba's page loads clean, shows every block, a click
// shows the block's file:line and attributes, the wheel zooms and a drag
// pans. NBAC_UPDATE_SCREENSHOT=1 keeps a screenshot in docs/images.
func TestNBAPage(t *testing.T) {
	g := loadNBA(t)
	b := newBrowser(t)
	b.open(t, writePage(t, g))
	boxes := checkEveryNode(t, b, g)

	for i, n := range g.Nodes {
		if n.Kind != "service" {
			continue
		}
		b.click(t, boxes[fmt.Sprintf("block%d", i)])
		want := fmt.Sprintf("%s:%d", n.Src.Filename, n.Src.Start.Line)
		if got := b.text(t, "#where"); got != want {
			t.Errorf("clicking %s shows %q, want %q", n.ID, got, want)
		}
		if got, want := b.text(t, "#panel h2"), fmt.Sprintf("service %q", n.Name); got != want {
			t.Errorf("clicking %s shows the panel title %q, want %q", n.ID, got, want)
		}
		// Every service of examples/nba has its image and an autoscale range.
		if got := b.text(t, "#panel table"); !strings.Contains(got, "imageregistry.example.com/nba-mcp:v1.0.0") || !strings.Contains(got, "autoscale.max") {
			t.Errorf("clicking %s: panel attributes lack the image or autoscale: %q", n.ID, got)
		}
	}

	// Zoom and drag in the middle of the canvas, wherever the window puts it.
	c, err := chromedp.Run(b.ctx, chromedp.Evaluate[struct{ X, Y float64 }](`(() => { const r = document.getElementById('canvas').getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	before := b.viewBox(t)
	if _, err := chromedp.Call(b.ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseWheel, X: c.X, Y: c.Y, DeltaX: 1, DeltaY: -300}); err != nil {
		// (DeltaX is 1: a zero one is omitted, and the protocol wants both.)
		t.Fatal(err)
	}
	zoomed := b.viewBox(t)
	if width(t, zoomed) >= width(t, before) {
		t.Errorf("the wheel did not zoom in: viewBox %q -> %q", before, zoomed)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, c.X, c.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, c.X-50, c.Y-20, chromedp.ButtonLeft, leftHeld),
		chromedp.MouseEvent(chromedp.MouseMoved, c.X-100, c.Y-40, chromedp.ButtonLeft, leftHeld),
		chromedp.MouseEvent(chromedp.MouseReleased, c.X-100, c.Y-40, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	if panned := b.viewBox(t); panned == zoomed || width(t, panned) != width(t, zoomed) {
		t.Errorf("the drag did not pan: viewBox %q -> %q", zoomed, panned)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("#fit"))); err != nil {
		t.Fatal(err)
	}
	if fit := b.viewBox(t); width(t, fit) != width(t, before) {
		t.Errorf("fit: viewBox %q, want the first one %q", fit, before)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}

	if os.Getenv("NBAC_UPDATE_SCREENSHOT") == "1" {
		for i, n := range g.Nodes {
			if n.Kind == "service" {
				b.click(t, boxes[fmt.Sprintf("block%d", i)])
			}
		}
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("docs", "images", "nba-graph.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// leftHeld says the left button is down during a move (a drag).
func leftHeld(p *input.DispatchMouseEventParams) { p.Buttons = 1 }

func width(t *testing.T, viewBox string) float64 {
	t.Helper()
	var x, y, w, h float64
	if _, err := fmt.Sscan(viewBox, &x, &y, &w, &h); err != nil {
		t.Fatalf("viewBox %q: %v", viewBox, err)
	}
	return w
}

// TestHostilePage: names and values built to break out of the SVG, the
// JSON or a script reach the page as text: no element or script is added,
// nothing reports an error, and the panel shows each string as the JSON
// data holds it.
func TestHostilePage(t *testing.T) {
	g := graph.Build(graphtest.HostileModel())
	b := newBrowser(t)
	b.open(t, writePage(t, g))
	boxes := checkEveryNode(t, b, g)

	counts, err := chromedp.Run(b.ctx, chromedp.Evaluate[struct{ Scripts, Images, Nodes int }](`({Scripts: document.scripts.length, Images: document.querySelectorAll('img, iframe, object, embed').length, Nodes: document.querySelectorAll('#canvas svg g.node').length})`))
	if err != nil {
		t.Fatal(err)
	}
	if counts.Scripts != 2 || counts.Images != 0 {
		t.Errorf("the page holds %d scripts (want 2) and %d embedded elements (want 0): a hostile string became markup", counts.Scripts, counts.Images)
	}
	for i, n := range g.Nodes {
		if n.Kind != "service" {
			continue
		}
		b.click(t, boxes[fmt.Sprintf("block%d", i)])
		want := `service "` + jsonRoundTrip(t, n.Name) + `"`
		if got := b.text(t, "#panel h2"); got != want {
			t.Errorf("panel title %q, want %q", got, want)
		}
	}
	markup, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#panel *').length - document.querySelectorAll('#panel h2, #panel .where, #panel table, #panel tr, #panel td').length`))
	if err != nil {
		t.Fatal(err)
	}
	if markup != 0 {
		t.Errorf("the panel holds %d elements it did not create: a value became markup", markup)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("the page reported errors (a hostile string ran or broke the page):\n%s", strings.Join(errs, "\n"))
	}
}

// jsonRoundTrip is s as the page's JSON data carries it (invalid UTF-8
// replaced).
func jsonRoundTrip(t *testing.T, s string) string {
	t.Helper()
	b, _ := json.Marshal(s)
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlanPage: a page drawn with -plan shows the legend, and the panel
// says what the plan does to the clicked block.
func TestPlanPage(t *testing.T) {
	g := loadNBA(t)
	graph.Mark(g, nil, nil) // no previous build: everything is added
	b := newBrowser(t)
	b.open(t, writePage(t, g))
	boxes := checkEveryNode(t, b, g)
	if got := b.text(t, ".legend"); got != "plan:addchangeremove" {
		t.Errorf("legend %q", got)
	}
	b.click(t, boxes["block0"])
	if got, want := b.text(t, "#panel h2"), "add: "+g.Nodes[0].Kind+` "`+g.Nodes[0].Name+`"`; got != want {
		t.Errorf("panel title %q, want %q", got, want)
	}
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
