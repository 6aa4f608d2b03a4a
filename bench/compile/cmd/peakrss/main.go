// Command peakrss runs a command and prints its peak resident set size in
// kilobytes (the kernel's ru_maxrss for that child) on stdout; the
// command's own output goes to stderr. It exits with the command's code.
//
//	peakrss nbac build estate -o out
//
// Why a separate process: Go starts children with vfork semantics, so a
// child's ru_maxrss includes the memory of the process that started it
// until it execs. Started from a large benchmark process, nbac would be
// charged for the benchmark's heap; started from this small one, the
// figure is nbac's own.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "peakrss:", err)
		os.Exit(1)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Println(ru.Maxrss) // kilobytes on Linux
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
