package queue

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// HeaderPreviousAttempt carries the W3C traceparent of the handler span of
// the attempt before this one, on retries and dead letters, so that the
// next attempt's span (or the replayed message's) links to it.
const HeaderPreviousAttempt = "x-nbac-previous-attempt"

// Span attributes the runtime adds beside the messaging semantic
// conventions (which have no generic attempt counter).
const (
	AttrAttempt     = attribute.Key("nbac.queue.attempt")     // 1 on the first delivery
	AttrRetryCount  = attribute.Key("nbac.queue.retry_count") // attempt - 1
	AttrRedelivered = attribute.Key("nbac.queue.redelivered") // handed out before without a verdict
	AttrReplayed    = attribute.Key("nbac.queue.replayed")    // came back through ReplayDLQ
	AttrOutcome     = attribute.Key("nbac.queue.outcome")     // ack, retry, dead_letter, drop, release
)

// Outcomes of a handled delivery (the AttrOutcome values).
const (
	OutcomeAck        = "ack"
	OutcomeRetry      = "retry"
	OutcomeDeadLetter = "dead_letter"
	OutcomeDrop       = "drop"
	OutcomeRelease    = "release"
)

// Systemer is implemented by a driver that names its broker for the
// messaging.system span attribute ("rabbitmq", "kafka", ...).
type Systemer interface{ System() string }

// tracing is a queue's tracer, built once; a Queue without a
// TracerProvider has none and its paths skip every tracing call.
type tracing struct {
	tracer                   trace.Tracer
	prop                     propagation.TextMapPropagator
	traceContextOnly         bool // prop is the default: it writes nothing without a valid span
	publishName, processName string
	replayName               string
	base                     []attribute.KeyValue // system and destination
	// The options every publish and process span starts with (kind and
	// the attributes that are the same for every message), built once so
	// that starting a span allocates no options.
	publishOpts, processOpts []trace.SpanStartOption
}

// tracerName is the instrumentation scope of the queue spans.
const tracerName = "github.com/nbac/nbac/runtime/queue"

func newTracing(cfg Config, drv Driver) *tracing {
	if cfg.TracerProvider == nil {
		return nil
	}
	prop := cfg.Propagator
	if prop == nil {
		prop = propagation.TraceContext{}
	}
	_, traceContextOnly := prop.(propagation.TraceContext)
	system := "nbac"
	if s, ok := drv.(Systemer); ok {
		system = s.System()
	}
	base := []attribute.KeyValue{
		semconv.MessagingSystemKey.String(system),
		semconv.MessagingDestinationName(cfg.Name),
	}
	fixed := func(kind trace.SpanKind, op string, opType attribute.KeyValue) []trace.SpanStartOption {
		attrs := append(base[:len(base):len(base)], opType, semconv.MessagingOperationName(op))
		return []trace.SpanStartOption{trace.WithSpanKind(kind), trace.WithAttributes(attrs...)}
	}
	return &tracing{
		tracer:           cfg.TracerProvider.Tracer(tracerName),
		prop:             prop,
		traceContextOnly: traceContextOnly,
		publishName:      "publish " + cfg.Name,
		processName:      "process " + cfg.Name,
		replayName:       "replay_dlq " + cfg.Name,
		base:             base,
		publishOpts:      fixed(trace.SpanKindProducer, "publish", semconv.MessagingOperationTypeSend),
		processOpts:      fixed(trace.SpanKindConsumer, "process", semconv.MessagingOperationTypeProcess),
	}
}

// addOnly is a propagation carrier over a message's headers that never
// replaces a header already there: a traceparent the publisher set itself
// wins over the runtime's.
type addOnly map[string]string

func (c addOnly) Get(k string) string { return c[k] }
func (c addOnly) Set(k, v string) {
	if _, ok := c[k]; !ok {
		c[k] = v
	}
}
func (c addOnly) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// startPublish opens one producer span per message and writes its context
// into a copy of the message's headers (the caller's map is left alone).
// Attributes that differ per message are set only on a recording span, so
// that a no-op provider costs little.
func (tr *tracing) startPublish(ctx context.Context, env *Envelope, batch int) trace.Span {
	sctx, span := tr.tracer.Start(ctx, tr.publishName, tr.publishOpts...)
	if span.IsRecording() {
		span.SetAttributes(semconv.MessagingMessageBodySize(len(env.Body)))
		if batch > 1 {
			span.SetAttributes(semconv.MessagingBatchMessageCount(batch))
		}
	}
	if tr.traceContextOnly && !span.SpanContext().IsValid() {
		return span // nothing to propagate (a no-op provider without a parent)
	}
	h := make(addOnly, len(env.Headers)+2)
	for k, v := range env.Headers {
		h[k] = v
	}
	tr.prop.Inject(sctx, h)
	env.Headers = h
	return span
}

// endSpan records err (if any) and ends span.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// startProcess opens the consumer span of one handler attempt: a child of
// the publisher's span (read from the headers), linked to the previous
// attempt's span when there is one (prev, or the header a retry or dead
// letter carried).
func (tr *tracing) startProcess(ctx context.Context, d *Delivery, prev trace.SpanContext) (context.Context, trace.Span) {
	parent := ctx
	if len(d.Headers) > 0 {
		parent = tr.prop.Extract(ctx, propagation.MapCarrier(d.Headers))
	}
	hctx, span := tr.tracer.Start(parent, tr.processName, tr.processOpts...)
	if !span.IsRecording() {
		return hctx, span
	}
	if !prev.IsValid() {
		if tp := d.Headers[HeaderPreviousAttempt]; tp != "" {
			prev = trace.SpanContextFromContext(propagation.TraceContext{}.Extract(ctx, propagation.MapCarrier{"traceparent": tp}))
		}
	}
	if prev.IsValid() {
		span.AddLink(trace.Link{SpanContext: prev})
	}
	span.SetAttributes(
		semconv.MessagingMessageID(d.ID),
		semconv.MessagingMessageBodySize(len(d.Body)),
		AttrAttempt.Int(d.Attempt),
		AttrRetryCount.Int(d.Attempt-1),
	)
	if d.Redelivered {
		span.SetAttributes(AttrRedelivered.Bool(true))
	}
	if d.Headers[HeaderReplayed] != "" {
		span.SetAttributes(AttrReplayed.Bool(true))
	}
	return hctx, span
}

// previousAttempt is the header that makes the next attempt (or the
// replayed dead letter) link to span.
func (tr *tracing) previousAttempt(span trace.Span) map[string]string {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(trace.ContextWithSpan(context.Background(), span), c)
	if tp := c["traceparent"]; tp != "" {
		return map[string]string{HeaderPreviousAttempt: tp}
	}
	return nil
}

// attempt is one traced handler call; its zero value (tracing off) makes
// every method a no-op.
type attempt struct {
	tr   *tracing
	span trace.Span
}

func (a attempt) finish(err error, outcome string) {
	if a.span == nil {
		return
	}
	if a.span.IsRecording() {
		a.span.SetAttributes(AttrOutcome.String(outcome))
	}
	endSpan(a.span, err)
}

// settleFailed notes a broker error while settling on the attempt's span.
func (a attempt) settleFailed(op string, err error) {
	if a.span != nil {
		a.span.AddEvent("broker error", trace.WithAttributes(attribute.String("op", op), attribute.String("error", err.Error())))
	}
}

// linkHeaders is what Retry and DeadLetter add to the message: the link to
// this attempt (nil when tracing is off).
func (a attempt) linkHeaders() map[string]string {
	if a.span == nil {
		return nil
	}
	return a.tr.previousAttempt(a.span)
}
