package main

import (
	"io"
	"sort"
)

// A command is one `nbac NAME` subcommand. It gets the arguments after its
// name and returns the process exit code (see exitOK and friends).
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is filled by register calls in each command's own file, so that
// a feature's CLI lives beside nothing but itself.
var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Exit codes: the contract of docs/cli.md.
const (
	exitOK          = 0
	exitError       = 1  // bad input or bad usage
	exitChanges     = 2  // plan -detailed-exitcode found changes; import reported things not imported
	exitUnformatted = 3  // fmt -check found files to format
	exitInternal    = 11 // a recovered panic: a bug in nbac
)
