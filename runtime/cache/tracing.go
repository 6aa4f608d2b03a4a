package cache

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the cache spans.
const tracerName = "github.com/nbac/nbac/runtime/cache"

// Attributes of a cache.load span (docs/tracing.md). The tier ones are set
// by the caller that ran the flight; a caller that joined it has
// AttrShared instead.
const (
	AttrName   = attribute.Key("nbac.cache.name")
	AttrL1     = attribute.Key("nbac.cache.l1")     // "miss", or "hit" when a flight that just ended filled it
	AttrL2     = attribute.Key("nbac.cache.l2")     // "hit" or "miss" (a Redis fault is a miss); absent without L2
	AttrOrigin = attribute.Key("nbac.cache.origin") // true when the loader was called
	AttrShared = attribute.Key("nbac.cache.shared") // the flight's result went to several callers
	AttrResult = attribute.Key("nbac.cache.result") // "value", "not_found" or "error"
)

// Tier outcomes (values of AttrL1 and AttrL2).
const (
	TierHit  = "hit"
	TierMiss = "miss"
)

// loadOptions are what every cache.load span starts with, built once so
// that starting one allocates no options: L1 missed to get there.
func loadOptions(name string) []trace.SpanStartOption {
	return []trace.SpanStartOption{trace.WithAttributes(AttrName.String(name), AttrL1.String(TierMiss))}
}

// startLoad opens the span of one GetOrLoad miss.
func (c *Cache) startLoad(ctx context.Context) (context.Context, trace.Span) {
	return c.tracer.Start(ctx, c.loadSpan, c.loadOpts...)
}

// traceTier notes on the flight leader's span which tier answered (only
// on a recording span: a no-op provider pays no attribute).
func (c *Cache) traceTier(ctx context.Context, kv attribute.KeyValue) {
	if c.tracer != nil {
		if s := trace.SpanFromContext(ctx); s.IsRecording() {
			s.SetAttributes(kv)
		}
	}
}

func endLoad(span trace.Span, shared bool, err error) {
	result := "value"
	switch {
	case errors.Is(err, ErrNotFound):
		result = "not_found"
	case err != nil:
		result = "error"
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	if span.IsRecording() {
		span.SetAttributes(AttrResult.String(result), AttrShared.Bool(shared))
	}
	span.End()
}
