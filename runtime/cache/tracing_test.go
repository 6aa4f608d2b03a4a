package cache

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nbac/nbac/schema"
)

func traced(t *testing.T) (*tracetest.InMemoryExporter, *sdktrace.TracerProvider) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return exp, tp
}

// loadAttrs returns the attributes of the only span exported since the
// last reset, and resets.
func loadAttrs(t *testing.T, exp *tracetest.InMemoryExporter, name string) map[attribute.Key]string {
	t.Helper()
	ss := exp.GetSpans()
	exp.Reset()
	if len(ss) != 1 || ss[0].Name != "cache.load "+name {
		t.Fatalf("want one cache.load %s span, got %d: %v", name, len(ss), ss)
	}
	m := map[attribute.Key]string{}
	for _, kv := range ss[0].Attributes {
		m[kv.Key] = kv.Value.Emit()
	}
	return m
}

func wantAttrs(t *testing.T, what string, got, want map[attribute.Key]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %q, want %q (all: %v)", what, k, got[k], v, got)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected attribute %s = %q", what, k, got[k])
		}
	}
}

// TestLoadSpansNameTheTierThatAnswered goes through every tier outcome on
// the real Redis: origin (both tiers missed), L2 hit on a second instance,
// an L1 hit (no span), a cached "not found", a loader error.
func TestLoadSpansNameTheTierThatAnswered(t *testing.T) {
	rdb := liveRedis(t)
	cfg := l1l2Config("traced", uniquePrefix(t, rdb))
	exp, tp := traced(t)
	a := mustNew(t, cfg, rdb, WithTracerProvider(tp))
	b := mustNew(t, cfg, rdb, WithTracerProvider(tp))
	ctx := context.Background()
	origin := func(context.Context) (string, error) { return "v", nil }

	if v, err := GetOrLoad(ctx, a, "k", origin); err != nil || v != "v" {
		t.Fatalf("GetOrLoad = %q, %v", v, err)
	}
	wantAttrs(t, "both tiers missed", loadAttrs(t, exp, "traced"), map[attribute.Key]string{
		AttrName: "traced", AttrL1: "miss", AttrL2: "miss", AttrOrigin: "true", AttrResult: "value", AttrShared: "false",
	})
	if _, err := GetOrLoad(ctx, a, "k", origin); err != nil {
		t.Fatal(err)
	}
	if ss := exp.GetSpans(); len(ss) != 0 {
		t.Fatalf("an L1 hit made %d spans, want none (the hit path is not traced)", len(ss))
	}
	if _, err := GetOrLoad(ctx, b, "k", func(context.Context) (string, error) {
		t.Error("loader called although L2 holds the key")
		return "", nil
	}); err != nil {
		t.Fatal(err)
	}
	wantAttrs(t, "L2 hit on the second instance", loadAttrs(t, exp, "traced"), map[attribute.Key]string{
		AttrName: "traced", AttrL1: "miss", AttrL2: "hit", AttrResult: "value", AttrShared: "false",
	})
	if _, err := GetOrLoad(ctx, a, "gone", func(context.Context) (string, error) { return "", ErrNotFound }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	wantAttrs(t, "not found", loadAttrs(t, exp, "traced"), map[attribute.Key]string{
		AttrName: "traced", AttrL1: "miss", AttrL2: "miss", AttrOrigin: "true", AttrResult: "not_found", AttrShared: "false",
	})
	boom := errors.New("origin down")
	if _, err := GetOrLoad(ctx, a, "bad", func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the loader's", err)
	}
	ss := exp.GetSpans()
	if len(ss) != 1 || ss[0].Status.Code.String() != "Error" || len(ss[0].Events) == 0 {
		t.Fatalf("a loader error: want one span with status Error and the error recorded, got %v", ss)
	}
	wantAttrs(t, "loader error", loadAttrs(t, exp, "traced"), map[attribute.Key]string{
		AttrName: "traced", AttrL1: "miss", AttrL2: "miss", AttrOrigin: "true", AttrResult: "error", AttrShared: "false",
	})
}

// TestLoadSpanContinuesTheCallersTrace: the loader runs inside the load
// span, itself a child of the caller's span.
func TestLoadSpanContinuesTheCallersTrace(t *testing.T) {
	exp, tp := traced(t)
	c := mustNew(t, schema.Cache{Name: "l1only", L1: &schema.L1Cache{MaxEntries: 10}}, nil, WithTracerProvider(tp))
	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	_, err := GetOrLoad(ctx, c, "k", func(ctx context.Context) (int, error) {
		_, s := tp.Tracer("test").Start(ctx, "origin query")
		s.End()
		return 1, nil
	})
	root.End()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]tracetest.SpanStub{}
	for _, s := range exp.GetSpans() {
		byName[s.Name] = s
	}
	load, query := byName["cache.load l1only"], byName["origin query"]
	if load.Parent.SpanID() != root.SpanContext().SpanID() || query.Parent.SpanID() != load.SpanContext.SpanID() {
		t.Fatalf("want request -> cache.load -> origin query; got spans %v", exp.GetSpans())
	}
}
