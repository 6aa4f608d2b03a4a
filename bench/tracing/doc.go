// Package tracing measures what OpenTelemetry tracing costs nbac's runtime
// side by side: tracing off (no TracerProvider, the default), a no-op
// provider, and the SDK provider sampling every span into a discarding
// batch exporter. It covers the cache's L1 hit (which is never traced and
// must not get slower), the cache's load path (traced), and publish plus
// consume through the in-process memory driver, where tracing's share of
// the work is largest. See docs/performance.md ("Tracing") and
// docs/tracing.md.
package tracing
