package redisstream

import (
	"encoding/binary"
	"errors"

	"github.com/nbac/nbac/runtime/queue"
)

// A stream entry written by a publisher has two fields: "h", the envelope
// without its body in the form below, and "b", the body as is (so a publish
// does not copy the body). A delayed message is stored, and moved to its
// stream by the Lua mover, as one field "m": the same form followed by the
// body, so the script moves it without decoding it:
//
//	version(1) attempt(uvarint) level(1) len(key) key n(headers) {len k, k, len v, v} body
const codecVersion = 1

func encode(env *queue.Envelope) []byte {
	return append(encodeMeta(env, len(env.Body)), env.Body...)
}

// encodeMeta is encode without the body; extra is room to leave for it.
func encodeMeta(env *queue.Envelope, extra int) []byte {
	size := 16 + len(env.Key) + extra
	for k, v := range env.Headers {
		size += len(k) + len(v) + 4
	}
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(env.Attempt))
	b = append(b, byte(env.Level))
	b = appendString(b, env.Key)
	b = binary.AppendUvarint(b, uint64(len(env.Headers)))
	for k, v := range env.Headers {
		b = appendString(b, k)
		b = appendString(b, v)
	}
	return b
}

// entryValues are the fields of a stream entry for env.
func entryValues(env *queue.Envelope) []any {
	return []any{"h", encodeMeta(env, 0), "b", env.Body}
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errCorrupt = errors.New("corrupt queue entry (not written by nbac?)")

func decode(b []byte) (queue.Envelope, error) {
	var env queue.Envelope
	if len(b) < 3 || b[0] != codecVersion {
		return env, errCorrupt
	}
	b = b[1:]
	a, n := binary.Uvarint(b)
	if n <= 0 || len(b) < n+1 {
		return env, errCorrupt
	}
	env.Attempt = int(a)
	env.Level = min(int(b[n]), queue.Levels-1)
	b = b[n+1:]
	var ok bool
	if env.Key, b, ok = readString(b); !ok {
		return env, errCorrupt
	}
	nh, n := binary.Uvarint(b)
	if n <= 0 || nh > uint64(len(b)) {
		return env, errCorrupt
	}
	b = b[n:]
	if nh > 0 {
		env.Headers = make(map[string]string, nh)
	}
	for range nh {
		var k, v string
		if k, b, ok = readString(b); !ok {
			return env, errCorrupt
		}
		if v, b, ok = readString(b); !ok {
			return env, errCorrupt
		}
		env.Headers[k] = v
	}
	env.Body = b
	env.Priority = queue.LevelName(env.Level)
	return env, nil
}

func readString(b []byte) (string, []byte, bool) {
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return "", nil, false
	}
	return string(b[n : n+int(l)]), b[n+int(l):], true
}
