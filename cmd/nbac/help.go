package main

import (
	"fmt"
	"io"
)

func init() {
	register(command{name: "help", summary: "Show the commands, or one command's options", run: runHelp})
}

// runHelp prints the command list, or `nbac help CMD`: CMD's own usage,
// which every command prints for -h.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return exitOK
	case 1:
		if a := args[0]; a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(stdout, "Usage: nbac help [COMMAND]\n\nLists the commands, or prints COMMAND's usage: its options, one line each,\nand an example (the same text as `nbac COMMAND -h`).\n\nExample:\n  nbac help build\n")
			return exitOK
		}
		c, ok := commands[args[0]]
		if !ok || args[0] == "help" {
			if ok {
				usage(stdout)
				return exitOK
			}
			fmt.Fprintf(stderr, "nbac help: unknown command %q.%s\n", args[0], suggestCommand(args[0]))
			return exitError
		}
		return c.run([]string{"-h"}, stdout, stdout)
	default:
		fmt.Fprintln(stderr, "Usage: nbac help [COMMAND]")
		return exitError
	}
}
