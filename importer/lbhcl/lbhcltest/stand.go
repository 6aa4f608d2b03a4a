package lbhcltest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
)

// Stand is the bench of a behaviour test: three loopback backends (app1,
// app2, spare), an original config rendered from a template with their
// ports and free listen ports, and what nbac builds from its import.
type Stand struct {
	App1, App2, Spare *lbctltest.Backend
	Ports             map[string]int // the template's listen placeholders
	Original          string
	Arts              []emit.Artifact
}

// NewStand skips (loudly) without the program, renders tmplPath with
// APP1, APP2, SPARE and a free port per listen placeholder, imports the
// result as a file called name and builds it.
func NewStand(t *testing.T, program, tmplPath string, imp Import, name string, listens ...string) *Stand {
	t.Helper()
	lbctltest.Binary(t, program)
	tmpl, err := os.ReadFile(tmplPath)
	if err != nil {
		t.Fatal(err)
	}
	s := &Stand{App1: lbctltest.StartBackend(t, "app1"), App2: lbctltest.StartBackend(t, "app2"),
		Spare: lbctltest.StartBackend(t, "spare"), Ports: map[string]int{}}
	kv := map[string]any{"APP1": s.App1.Port, "APP2": s.App2.Port, "SPARE": s.Spare.Port}
	for _, l := range listens {
		s.Ports[l] = lbctltest.FreePort(t)
		kv[l] = s.Ports[l]
	}
	s.Original = lbctltest.Render(string(tmpl), kv)
	s.Arts = Build(t, ImportText(t, imp, filepath.Base(name), s.Original))
	return s
}
