package main

import (
	"bytes"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// warmHeap backs the Go heap a large build is about to grow into with
// transparent huge pages, before the build starts.
//
// Why: a 1,000-service estate grows the heap to ~100 MB in a few hundred
// milliseconds, and each 4 KiB page is faulted in separately: ~25,000
// faults, a fifth of the CPU of `nbac build` on our CI machines (more under
// a hypervisor). The Go runtime does not ask for huge pages, and the kernel
// gives them only to memory that asks (transparent_hugepage=madvise, the
// common default). So nbac allocates one block of about the heap it will
// need, asks for huge pages on it (madvise MADV_HUGEPAGE), touches it, and
// frees it: the runtime then carves the build's objects out of those pages,
// 2 MiB per fault. Measured at N=1,000: 0.45 -> 0.35 s wall, system time
// 0.27 -> 0.16 s, same peak RSS (docs/performance.md).
//
// It does nothing for small configurations, when the kernel already gives
// huge pages to everything (always) or never does (never): touching the
// block page by page would only move the faults earlier.
func warmHeap(configBytes int64) {
	size := heapEstimate(configBytes)
	if size == 0 || !hugePagesOnRequest() {
		return
	}
	const huge = 2 << 20
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(&b[0]))
	start := (p + huge - 1) &^ (huge - 1)
	end := (p + uintptr(len(b))) &^ (huge - 1)
	if end <= start {
		return
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvHugepage); errno != 0 {
		return
	}
	for i := start - p; i < end-p; i += huge {
		b[i] = 1
	}
	b = nil
	runtime.GC() // free the block now, so the build's allocations reuse it
}

// madvHugepage is MADV_HUGEPAGE (not in package syscall).
const madvHugepage = 14

// hugePagesOnRequest reports whether the kernel gives transparent huge
// pages to memory that asks for them and not to other memory.
func hugePagesOnRequest() bool {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && bytes.Contains(b, []byte("[madvise]"))
}
