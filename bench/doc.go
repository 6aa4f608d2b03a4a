// Package bench holds nbac's side-by-side benchmarks against peer libraries.
// It is a nested module so that the anchors (otter, go-redis/cache,
// watermill, asynq, Helm, CUE) never become dependencies of nbac itself.
// Run with `make bench`; figures go into docs/performance.md.
package bench
