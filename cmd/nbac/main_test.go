package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// A hidden command that only exists in the test binary, so the scripts
	// can check that a panic becomes exit 11 with a report request. Its
	// leading underscore keeps it out of the usage text.
	register(command{name: "_panic", summary: "test only: panic", run: func([]string, io.Writer, io.Writer) int {
		panic("deliberate test panic")
	}})
}

func TestMain(m *testing.M) {
	// The scripts run `nbac` as this test binary re-executed, through the
	// real run function: flags, exit codes and output are the product's.
	testscript.Main(m, map[string]func(){
		"nbac": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Colour and terminal detection must not depend on who runs
			// the tests.
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"hashdir": cmdHashDir,
			"grepdir": cmdGrepDir,
		},
	})
}

// cmdHashDir is `hashdir save NAME DIR` (remember a fingerprint of every
// path, mode and byte under DIR in $NAME) and `hashdir check NAME DIR` (fail
// unless DIR still matches): the proof that a command wrote nothing.
func cmdHashDir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || (args[0] != "save" && args[0] != "check") {
		ts.Fatalf("usage: hashdir save|check NAME DIR")
	}
	h := sha256.New()
	root := ts.MkAbs(args[2])
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s %v %d\n", rel, info.Mode(), info.ModTime().UnixNano())
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		ts.Fatalf("hashdir: %v", err)
	}
	sum := fmt.Sprintf("%x", h.Sum(nil))
	if args[0] == "save" {
		ts.Setenv(args[1], sum)
		return
	}
	same := ts.Getenv(args[1]) == sum
	if same == neg {
		if neg {
			ts.Fatalf("%s did not change", args[2])
		}
		ts.Fatalf("%s changed", args[2])
	}
}

// cmdGrepDir is `grepdir TEXT DIR`: succeed when some file under DIR
// contains TEXT (with !, when none does; a missing DIR holds nothing). The
// secrets scripts use it to check every file a command wrote.
func cmdGrepDir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: grepdir TEXT DIR")
	}
	var hits []string
	root := ts.MkAbs(args[1])
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), args[0]) {
			hits = append(hits, p)
		}
		return nil
	})
	if err != nil {
		ts.Fatalf("grepdir: %v", err)
	}
	if neg && len(hits) > 0 {
		ts.Fatalf("%q found in %v", args[0], hits)
	}
	if !neg && len(hits) == 0 {
		ts.Fatalf("%q found in no file under %s", args[0], args[1])
	}
}
