package cache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// Every L2 value starts with one format byte saying how the rest is stored,
// so the compression setting can change while old values are still in Redis:
// readers decode whatever they find.
const (
	fmtNone     byte = 0x00
	fmtZlib     byte = 0x01
	fmtZstd     byte = 0x02
	fmtS2       byte = 0x03
	fmtNegative byte = 0x7f // "not found", cached for negative_ttl; no payload
)

// maxDecoded bounds a decompressed value so a corrupt or hostile L2 value
// cannot make a reader allocate without limit.
const maxDecoded = 64 << 20

var errCorrupt = errors.New("corrupt L2 value")

// Compressions are the names accepted in `compress`.
var Compressions = []string{"none", "zlib", "zstd", "s2"}

func formatOf(name string) (byte, error) {
	switch name {
	case "", "none":
		return fmtNone, nil
	case "zlib":
		return fmtZlib, nil
	case "zstd":
		return fmtZstd, nil
	case "s2":
		return fmtS2, nil
	}
	return 0, fmt.Errorf("unknown compression %q (want one of none, zlib, zstd, s2)", name)
}

var (
	zlibWriters = sync.Pool{New: func() any {
		w, _ := zlib.NewWriterLevel(nil, zlib.DefaultCompression)
		return w
	}}
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

func zstdCodecs() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		// EncodeAll/DecodeAll are safe for concurrent use; one pair serves
		// every cache in the process.
		zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxDecoded))
	})
	return zstdEnc, zstdDec
}

// pack prefixes raw with its format byte, compressing it with format f when
// it is at least min bytes long (small values rarely shrink).
func pack(f byte, min int, raw []byte) []byte {
	if f == fmtNone || len(raw) < min {
		out := make([]byte, 1+len(raw))
		out[0] = fmtNone
		copy(out[1:], raw)
		return out
	}
	switch f {
	case fmtZlib:
		var buf bytes.Buffer
		buf.Grow(len(raw)/2 + 16)
		buf.WriteByte(fmtZlib)
		w := zlibWriters.Get().(*zlib.Writer)
		w.Reset(&buf)
		_, _ = w.Write(raw) // a bytes.Buffer never fails
		_ = w.Close()
		zlibWriters.Put(w)
		return buf.Bytes()
	case fmtZstd:
		enc, _ := zstdCodecs()
		return enc.EncodeAll(raw, []byte{fmtZstd})
	case fmtS2:
		out := make([]byte, 1+s2.MaxEncodedLen(len(raw)))
		out[0] = fmtS2
		n := len(s2.Encode(out[1:], raw))
		return out[:1+n]
	}
	panic("cache: pack with unknown format") // formats are checked in New
}

// unpack reverses pack. neg reports a cached "not found". Any malformed
// input is errCorrupt, which callers treat as a miss.
func unpack(b []byte) (raw []byte, neg bool, err error) {
	if len(b) == 0 {
		return nil, false, errCorrupt
	}
	body := b[1:]
	switch b[0] {
	case fmtNone:
		return body, false, nil
	case fmtNegative:
		if len(body) != 0 {
			return nil, false, errCorrupt
		}
		return nil, true, nil
	case fmtZlib:
		r, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, false, fmt.Errorf("%w: zlib: %v", errCorrupt, err)
		}
		out, err := io.ReadAll(io.LimitReader(r, maxDecoded+1))
		if err == nil {
			err = r.Close()
		}
		if err != nil || len(out) > maxDecoded {
			return nil, false, fmt.Errorf("%w: zlib: %v", errCorrupt, err)
		}
		return out, false, nil
	case fmtZstd:
		_, dec := zstdCodecs()
		out, err := dec.DecodeAll(body, nil)
		if err != nil {
			return nil, false, fmt.Errorf("%w: zstd: %v", errCorrupt, err)
		}
		return out, false, nil
	case fmtS2:
		n, err := s2.DecodedLen(body)
		if err != nil || n > maxDecoded {
			return nil, false, fmt.Errorf("%w: s2: length", errCorrupt)
		}
		out, err := s2.Decode(nil, body)
		if err != nil {
			return nil, false, fmt.Errorf("%w: s2: %v", errCorrupt, err)
		}
		return out, false, nil
	}
	return nil, false, fmt.Errorf("%w: unknown format byte 0x%02x", errCorrupt, b[0])
}
