package redisstream

import (
	"encoding/binary"
	"errors"

	"github.com/nbac/nbac/runtime/queue"
)

// A stream entry has one field, "m", holding the envelope in this compact
// form, so that the Lua mover can move it without decoding it:
//
//	version(1) attempt(uvarint) level(1) len(key) key n(headers) {len k, k, len v, v} body
const codecVersion = 1

func encode(env *queue.Envelope) []byte {
	size := 16 + len(env.Key) + len(env.Body)
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
	return append(b, env.Body...)
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
