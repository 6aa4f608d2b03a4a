package cache

import (
	"bytes"
	"errors"
	"testing"
)

func TestPackRoundTripEachCodec(t *testing.T) {
	big := bytes.Repeat([]byte(`{"player":"lebron","points":27.1,"team":"LAL"}`), 100)
	for _, name := range Compressions {
		t.Run(name, func(t *testing.T) {
			f, err := formatOf(name)
			if err != nil {
				t.Fatal(err)
			}
			packed := pack(f, 64, big)
			if packed[0] != f {
				t.Fatalf("format byte = 0x%02x, want 0x%02x", packed[0], f)
			}
			if f != fmtNone && len(packed) >= len(big) {
				t.Errorf("%s did not shrink a repetitive value: %d -> %d bytes", name, len(big), len(packed))
			}
			raw, neg, err := unpack(packed)
			if err != nil || neg || !bytes.Equal(raw, big) {
				t.Fatalf("unpack = %d bytes, neg=%v, err=%v; want the original %d bytes", len(raw), neg, err, len(big))
			}
			// Below the threshold the value is stored as is, whatever the setting.
			small := []byte("tiny")
			if p := pack(f, 64, small); p[0] != fmtNone || !bytes.Equal(p[1:], small) {
				t.Errorf("small value packed as % x, want it uncompressed", p)
			}
		})
	}
}

func TestUnknownCompressionIsAnError(t *testing.T) {
	if _, err := formatOf("lz4"); err == nil {
		t.Fatal("formatOf(lz4) succeeded; want an error naming the allowed values")
	}
}

func TestUnpackCorrupt(t *testing.T) {
	good := pack(fmtZlib, 0, bytes.Repeat([]byte("abc"), 100))
	cases := map[string][]byte{
		"empty":             {},
		"unknown format":    {0x42, 1, 2, 3},
		"negative+payload":  {fmtNegative, 1},
		"truncated zlib":    good[:len(good)/2],
		"zlib garbage":      {fmtZlib, 0xde, 0xad, 0xbe, 0xef},
		"zstd garbage":      {fmtZstd, 0xde, 0xad, 0xbe, 0xef},
		"s2 garbage":        {fmtS2, 0xff, 0xff, 0xff, 0xff, 0xff},
		"s2 huge length":    {fmtS2, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"zlib wrong header": {fmtZlib, 0x00, 0x00},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := unpack(b)
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("unpack(% x) err = %v, want errCorrupt", b, err)
			}
		})
	}
	if _, neg, err := unpack([]byte{fmtNegative}); err != nil || !neg {
		t.Fatalf("negative marker: neg=%v err=%v", neg, err)
	}
}

// FuzzUnpack checks that no L2 value, however mangled, panics a reader.
func FuzzUnpack(f *testing.F) {
	for _, fm := range []byte{fmtNone, fmtZlib, fmtZstd, fmtS2} {
		f.Add(pack(fm, 0, []byte("hello hello hello hello")))
	}
	f.Add([]byte{fmtNegative})
	f.Fuzz(func(t *testing.T, b []byte) {
		raw, neg, err := unpack(b)
		if err != nil && (raw != nil || neg) {
			t.Fatalf("error %v with a value", err)
		}
	})
}
