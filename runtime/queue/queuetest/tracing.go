package queuetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/queue"
)

// spans is what the in-memory exporter holds, with finders for the test.
type spans []tracetest.SpanStub

func attr(s tracetest.SpanStub, k attribute.Key) attribute.Value {
	for _, kv := range s.Attributes {
		if kv.Key == k {
			return kv.Value
		}
	}
	return attribute.Value{}
}

// process returns the handler spans of trace tid with the given attempt
// and outcome.
func (ss spans) process(tid trace.TraceID, attempt int, outcome string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range ss {
		if s.SpanKind == trace.SpanKindConsumer && s.SpanContext.TraceID() == tid &&
			attr(s, queue.AttrAttempt).AsInt64() == int64(attempt) && attr(s, queue.AttrOutcome).AsString() == outcome {
			out = append(out, s)
		}
	}
	return out
}

func (ss spans) producers(tid trace.TraceID) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range ss {
		if s.SpanKind == trace.SpanKindProducer && s.SpanContext.TraceID() == tid {
			out = append(out, s)
		}
	}
	return out
}

func linksTo(s tracetest.SpanStub, cands []tracetest.SpanStub) bool {
	for _, l := range s.Links {
		for _, c := range cands {
			if l.SpanContext.SpanID() == c.SpanContext.SpanID() {
				return true
			}
		}
	}
	return false
}

// testTracing follows two messages through a queue traced by the SDK's
// in-memory exporter: one that fails once and then succeeds, one that is
// dead-lettered and replayed. Each stays one trace, from the caller's span
// through the publish span to the final handler call; every attempt is a
// child of the publish span and links to the attempt before it (across
// the dead-letter queue too); the handler's context carries the attempt's
// span; the caller's own headers arrive untouched.
func testTracing(t *testing.T, h Harness) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	cfg := Config(t)
	cfg.TracerProvider = tp
	q := h.Open(t, cfg, "")
	sys, ok := q.Driver().(queue.Systemer)
	if !ok {
		t.Fatalf("driver %T does not name its messaging.system (queue.Systemer)", q.Driver())
	}
	ctx := ctxT(t, 3*patience)

	type seen struct {
		attempt int
		span    trace.SpanContext
		headers map[string]string
	}
	handled := make(chan seen, 16)
	consumer(t, q, func(hctx context.Context, d *queue.Delivery) error {
		select { // never blocks: a redelivered duplicate may add more
		case handled <- seen{d.Attempt, trace.SpanContextFromContext(hctx), queue.CloneHeaders(d.Headers)}:
		default:
		}
		switch {
		case string(d.Body) == "flaky" && d.Attempt == 1:
			return errors.New("first attempt fails")
		case string(d.Body) == "poison" && d.Headers[queue.HeaderReplayed] == "":
			return errors.New("always fails until replayed")
		}
		return nil
	}, queue.ConsumeOptions{})

	tracer := tp.Tracer("queuetest")
	rootCtx, root := tracer.Start(ctx, "caller")
	user := map[string]string{"x-user": "kept", "baggage-like": "a=b"}
	if err := q.Publish(rootCtx, queue.Message{Body: []byte("flaky"), Headers: user}); err != nil {
		t.Fatal(err)
	}
	root.End()
	if len(user) != 2 {
		t.Errorf("Publish changed the caller's header map: %v", user)
	}
	tid := root.SpanContext().TraceID()
	// An attempt's span ends once its settlement returned, which may be
	// after the next attempt ran: wait for both.
	eventually.True(t, patience, "the flaky message's first attempt retried and its second acked", func() bool {
		ss := spans(exp.GetSpans())
		return len(ss.process(tid, 1, queue.OutcomeRetry)) > 0 && len(ss.process(tid, 2, queue.OutcomeAck)) > 0
	})
	ss := spans(exp.GetSpans())
	pubs := ss.producers(tid)
	if len(pubs) != 1 {
		t.Fatalf("want one publish span in the caller's trace, got %d", len(pubs))
	}
	pub := pubs[0]
	if pub.Parent.SpanID() != root.SpanContext().SpanID() {
		t.Errorf("publish span's parent = %s, want the caller's span %s", pub.Parent.SpanID(), root.SpanContext().SpanID())
	}
	wantAttrs := map[attribute.Key]string{
		"messaging.system":           sys.System(),
		"messaging.destination.name": cfg.Name,
		"messaging.operation.type":   "send",
		"messaging.operation.name":   "publish",
	}
	checkAttrs(t, pub, "publish "+cfg.Name, wantAttrs)
	first, second := ss.process(tid, 1, queue.OutcomeRetry), ss.process(tid, 2, queue.OutcomeAck)
	if len(first) == 0 {
		t.Fatalf("no failed first attempt in the caller's trace; spans: %v", names(ss))
	}
	wantAttrs["messaging.operation.type"], wantAttrs["messaging.operation.name"] = "process", "process"
	for _, s := range append(first, second...) {
		checkAttrs(t, s, "process "+cfg.Name, wantAttrs)
		if s.Parent.SpanID() != pub.SpanContext.SpanID() {
			t.Errorf("attempt %d's parent = %s, want the publish span %s", attr(s, queue.AttrAttempt).AsInt64(), s.Parent.SpanID(), pub.SpanContext.SpanID())
		}
		if attr(s, "messaging.message.id").AsString() == "" {
			t.Errorf("attempt %d has no messaging.message.id", attr(s, queue.AttrAttempt).AsInt64())
		}
	}
	if got := attr(second[0], queue.AttrRetryCount).AsInt64(); got != 1 {
		t.Errorf("second attempt's %s = %d, want 1", queue.AttrRetryCount, got)
	}
	if first[0].Status.Code.String() != "Error" {
		t.Errorf("failed attempt's status = %v, want Error", first[0].Status)
	}
	if !linksTo(second[0], first) {
		t.Errorf("the retry's span does not link to the failed attempt's span (links %v)", second[0].Links)
	}
	// The handler saw each attempt's span in its context, and the
	// caller's headers next to the trace context.
	for range 2 {
		s := <-handled
		if s.span.TraceID() != tid || !slices.ContainsFunc(append(first, second...), func(p tracetest.SpanStub) bool { return p.SpanContext.SpanID() == s.span.SpanID() }) {
			t.Errorf("attempt %d's handler context carries span %s/%s, not its process span", s.attempt, s.span.TraceID(), s.span.SpanID())
		}
		if s.headers["x-user"] != "kept" || s.headers["baggage-like"] != "a=b" || s.headers["traceparent"] == "" {
			t.Errorf("attempt %d's headers = %v; want the caller's two and a traceparent", s.attempt, s.headers)
		}
	}

	// Dead letter, then replay: still the same trace.
	rootCtx, root = tracer.Start(ctx, "caller-2")
	if err := q.Publish(rootCtx, queue.Message{Body: []byte("poison")}); err != nil {
		t.Fatal(err)
	}
	root.End()
	tid = root.SpanContext().TraceID()
	eventually.True(t, patience, "the poison message dead-lettered", func() bool {
		st, err := q.Inspect(ctx)
		if err != nil || st.DeadLetters != 1 {
			return false
		}
		ss := spans(exp.GetSpans())
		for a := 1; a < cfg.MaxAttempts; a++ {
			if len(ss.process(tid, a, queue.OutcomeRetry)) == 0 {
				return false
			}
		}
		return len(ss.process(tid, cfg.MaxAttempts, queue.OutcomeDeadLetter)) > 0
	})
	opCtx, op := tracer.Start(ctx, "operator replay")
	if n, err := q.ReplayDLQ(opCtx, 0); err != nil || n != 1 {
		t.Fatalf("ReplayDLQ = %d, %v; want 1, nil", n, err)
	}
	op.End()
	eventually.True(t, patience, "the replayed message acked", func() bool {
		return len(spans(exp.GetSpans()).process(tid, 1, queue.OutcomeAck)) > 0
	})
	ss = spans(exp.GetSpans())
	pubs = ss.producers(tid)
	if len(pubs) != 1 {
		t.Fatalf("want one publish span in the poison message's trace, got %d", len(pubs))
	}
	dead, replayed := ss.process(tid, cfg.MaxAttempts, queue.OutcomeDeadLetter), ss.process(tid, 1, queue.OutcomeAck)
	for a := 2; a <= cfg.MaxAttempts; a++ {
		outcome := queue.OutcomeRetry
		if a == cfg.MaxAttempts {
			outcome = queue.OutcomeDeadLetter
		}
		if cur := ss.process(tid, a, outcome); len(cur) == 0 || !linksTo(cur[0], ss.process(tid, a-1, queue.OutcomeRetry)) {
			t.Errorf("attempt %d (%s) of the poison message missing or not linked to attempt %d; spans: %v", a, outcome, a-1, names(ss))
		}
	}
	if replayed[0].Parent.SpanID() != pubs[0].SpanContext.SpanID() {
		t.Errorf("the replayed message's span is not a child of the original publish span")
	}
	if !attr(replayed[0], queue.AttrReplayed).AsBool() {
		t.Errorf("the replayed message's span lacks %s", queue.AttrReplayed)
	}
	if !linksTo(replayed[0], dead) {
		t.Errorf("the replayed message's span does not link to the dead-lettered attempt (links %v)", replayed[0].Links)
	}
	if !slices.ContainsFunc(ss, func(s tracetest.SpanStub) bool {
		return s.Name == "replay_dlq "+cfg.Name && s.Parent.SpanID() == op.SpanContext().SpanID() && attr(s, "messaging.batch.message_count").AsInt64() == 1
	}) {
		t.Errorf("no replay_dlq span under the operator's span counting 1 message; spans: %v", names(ss))
	}
	t.Logf("%d spans: publish -> attempt 1 (retry) -> attempt 2 (ack) in one trace; publish -> %d attempts -> dead letter -> replay -> ack in another", len(ss), cfg.MaxAttempts)
}

func checkAttrs(t *testing.T, s tracetest.SpanStub, name string, want map[attribute.Key]string) {
	t.Helper()
	if s.Name != name {
		t.Errorf("span name %q, want %q", s.Name, name)
	}
	for k, v := range want {
		if got := attr(s, k).Emit(); got != v {
			t.Errorf("span %q: %s = %q, want %q", s.Name, k, got, v)
		}
	}
}

func names(ss spans) []string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s(%s attempt=%d outcome=%s)", s.Name, s.SpanContext.TraceID().String()[:6], attr(s, queue.AttrAttempt).AsInt64(), attr(s, queue.AttrOutcome).AsString()))
	}
	return out
}
