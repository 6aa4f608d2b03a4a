// Command genestate writes a generated nbac estate into a directory:
//
//	genestate -n 1000 -seed 1 -o /tmp/estate-1000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/nbac/nbac/bench/estate"
)

func main() {
	n := flag.Int("n", 100, "number of services")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "", "output directory (required)")
	flag.Parse()
	if *out == "" || *n < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genestate -n N [-seed S] -o DIR")
		os.Exit(1)
	}
	e := estate.Generate(*n, *seed)
	if err := e.Write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genestate:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d services, %d load balancers, %d caches, %d queues to %s\n",
		len(e.Services), len(e.LBs), len(e.Caches), len(e.Queues), *out)
}
