package cache

import "encoding/json"

// Codec turns values into the bytes stored in the cache and back. Values of
// type []byte never go through the codec: they are stored verbatim, so
// GetBytes and Get[[]byte] see the same bytes.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default codec (encoding/json).
type JSON struct{}

// Marshal implements Codec.
func (JSON) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal implements Codec.
func (JSON) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// encode returns v's stored bytes: verbatim for []byte, the codec's
// output otherwise.
func encode(c Codec, v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	return c.Marshal(v)
}

// decode fills a T from stored bytes, mirroring encode.
func decode[T any](c Codec, raw []byte) (T, error) {
	var out T
	if p, ok := any(&out).(*[]byte); ok {
		*p = raw
		return out, nil
	}
	err := c.Unmarshal(raw, &out)
	return out, err
}
