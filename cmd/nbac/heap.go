package main

import (
	"os"
	"path/filepath"
	"strings"
)

// Heap sizing for warmHeap. A build's heap peaks at roughly heapPerByte
// times the configuration's size (measured on the bench/estate estates:
// ~100 MB for 1.2 MB of HCL at N=1,000); below minWarm there are too few
// page faults to matter, and maxWarm bounds what nbac takes up front.
const (
	heapPerByte = 80
	minWarm     = 16 << 20
	maxWarm     = 512 << 20
)

// heapEstimate is the block warmHeap prepares for configBytes of
// configuration: 0 when the configuration is small.
func heapEstimate(configBytes int64) int {
	n := configBytes * heapPerByte
	if n < minWarm {
		return 0
	}
	return int(min(n, maxWarm))
}

// configSize adds up the sizes of the configuration files at path (a file,
// or a directory's .hcl and .hcl.json files), as lang.Load will read them.
// Errors count as 0: Load reports them properly.
func configSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if !info.IsDir() {
		return info.Size()
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return 0
	}
	var total int64
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".hcl") || strings.HasSuffix(e.Name(), ".hcl.json")) {
			continue
		}
		if fi, err := os.Stat(filepath.Join(path, e.Name())); err == nil {
			total += fi.Size()
		}
	}
	return total
}
