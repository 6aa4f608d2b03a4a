//go:build !linux

package main

// warmHeap does nothing where nbac does not know how to ask for huge pages
// (heap_linux.go says why it does on Linux).
func warmHeap(configBytes int64) {}
