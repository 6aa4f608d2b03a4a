// Package compile benchmarks nbac's compiler on generated estates
// (bench/estate) of 10 to 5,000 services: each stage on its own (load =
// parse + evaluate + lower + validate, validate alone, each emitter, the
// artifact set, the write), `nbac build` as a whole process with its peak
// RSS, and the same estate's Kubernetes output rendered by Helm's engine
// and by CUE, the tools users would otherwise reach for. A test checks
// that the three outputs agree on every object's kind, name and key
// fields, so the comparison is of equal work.
//
// Run: `make bench`, or bench/run-compile.sh to refresh docs/performance.md.
package compile
