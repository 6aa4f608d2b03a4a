package redisstream

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/queue"
)

func TestCodecRoundTrip(t *testing.T) {
	in := queue.Envelope{
		Message: queue.Message{Key: "order-7", Body: []byte("{\"a\":1}\x00\xff"), Headers: map[string]string{"trace": "x", "": "empty"}, Priority: "high"},
		Level:   2, Attempt: 300,
	}
	out, err := decode(encode(&in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Fatalf("round trip (-in +out):\n%s", diff)
	}
}

func TestCodecRejectsGarbage(t *testing.T) {
	full := encode(&queue.Envelope{Message: queue.Message{Key: "k", Body: []byte("body"), Headers: map[string]string{"h": "v"}}, Level: 1, Attempt: 1})
	for _, b := range [][]byte{nil, []byte("x"), {9, 1, 1, 0, 0}} {
		if _, err := decode(b); err == nil {
			t.Errorf("decode(%q) accepted garbage", b)
		}
	}
	// Every truncation before the body must fail, never panic.
	for i := 0; i < len(full)-len("body"); i++ {
		if _, err := decode(full[:i]); err == nil && i < 7 {
			t.Errorf("decode of %d-byte prefix accepted", i)
		}
	}
}

func TestEntryFieldsRoundTrip(t *testing.T) {
	in := queue.Envelope{Message: queue.Message{Key: "k", Body: []byte("payload"), Headers: map[string]string{"a": "b"}, Priority: "normal"}, Level: 1, Attempt: 2}
	vals := entryValues(&in)
	m := redis.XMessage{ID: "1-0", Values: map[string]any{}}
	for i := 0; i < len(vals); i += 2 {
		switch v := vals[i+1].(type) {
		case []byte:
			m.Values[vals[i].(string)] = string(v)
		}
	}
	out, err := decodeEntry(m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Fatalf("entry round trip (-in +out):\n%s", diff)
	}
	// The single-field form the Lua mover writes decodes the same.
	out, err = decodeEntry(redis.XMessage{ID: "2-0", Values: map[string]any{"m": string(encode(&in))}})
	if err != nil || cmp.Diff(in, out) != "" {
		t.Fatalf("moved entry decodes to %+v, %v", out, err)
	}
}
