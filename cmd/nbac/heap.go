package main

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
