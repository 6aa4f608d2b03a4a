package redisstream

import (
	"testing"

	"github.com/google/go-cmp/cmp"

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
