package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/agext/levenshtein"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// crashMessage starts what a recovered panic prints; tests look for it.
const crashMessage = "nbac crashed: this is a bug, please report it"

// run is the whole CLI: it dispatches args to a subcommand and returns the
// exit code. A panic anywhere below becomes exit 11 with a report request,
// never Go's exit 2 (which means "changes" to plan -detailed-exitcode).
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "%s, with the command line and the input if you can.\n\npanic: %v\n\n%s", crashMessage, r, debug.Stack())
			code = exitInternal
		}
	}()
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "nbac: unknown command %q.%s\n\n", name, suggestCommand(name))
		usage(stderr)
		return exitError
	}
	return c.run(args[1:], stdout, stderr)
}

// usage lists the commands (hidden ones, named with a leading underscore,
// are left out).
func usage(w io.Writer) {
	fmt.Fprint(w, "Usage: nbac COMMAND [options] [args]\n\nnbac compiles an HCL configuration into Kubernetes, HAProxy and Nginx artifacts.\n\nCommands:\n")
	for _, n := range commandNames() {
		if strings.HasPrefix(n, "_") {
			continue
		}
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nRun `nbac help COMMAND` for a command's options. Exit codes: 0 ok, 1 error,\n2 plan -detailed-exitcode found changes, 3 fmt -check found unformatted files,\n11 internal error (a bug).\n")
}

// suggestCommand returns ` Did you mean "build"?` for a near miss.
func suggestCommand(name string) string {
	var visible []string
	for _, n := range commandNames() {
		if !strings.HasPrefix(n, "_") {
			visible = append(visible, n)
		}
	}
	return suggestWord(name, visible)
}

// suggestWord returns ` Did you mean "x"?` for the word of words closest
// to name, when one is within two edits.
func suggestWord(name string, words []string) string {
	best, bestDist := "", 3
	for _, n := range words {
		if d := levenshtein.Distance(name, n, nil); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}
