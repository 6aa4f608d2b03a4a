package stdlib

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/url"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Encodings and hashes. Every one is a pure function of its argument.

var base64EncodeFunc = stringFunc("Encodes str (its UTF-8 bytes) as standard Base64.", func(s string) (string, error) {
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
})

var base64DecodeFunc = stringFunc("Decodes standard Base64 into a string; the bytes must be valid UTF-8.", func(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", function.NewArgErrorf(0, "not valid Base64: %s", err)
	}
	if !utf8.Valid(b) {
		return "", function.NewArgErrorf(0, "the decoded bytes are not valid UTF-8, so they cannot be a string")
	}
	return string(b), nil
})

var urlEncodeFunc = stringFunc("Escapes str for use in a URL query.", func(s string) (string, error) {
	return url.QueryEscape(s), nil
})

var (
	md5Func          = hexHash("md5", md5.New)
	sha1Func         = hexHash("sha1", sha1.New)
	sha256Func       = hexHash("sha256", sha256.New)
	sha512Func       = hexHash("sha512", sha512.New)
	base64SHA256Func = base64Hash("sha256", sha256.New)
	base64SHA512Func = base64Hash("sha512", sha512.New)
)

func hexHash(name string, h func() hash.Hash) function.Function {
	return stringFunc("Returns the hex-encoded "+name+" digest of str's UTF-8 bytes.", func(s string) (string, error) {
		d := h()
		d.Write([]byte(s))
		return hex.EncodeToString(d.Sum(nil)), nil
	})
}

func base64Hash(name string, h func() hash.Hash) function.Function {
	return stringFunc("Returns the Base64-encoded "+name+" digest of str's UTF-8 bytes.", func(s string) (string, error) {
		d := h()
		d.Write([]byte(s))
		return base64.StdEncoding.EncodeToString(d.Sum(nil)), nil
	})
}

// stringFunc wraps a string-to-string Go function. Marks (sensitive)
// pass through automatically because the parameter does not allow them.
func stringFunc(desc string, f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Description:  desc,
		Params:       []function.Parameter{{Name: "str", Type: cty.String}},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			s, err := f(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(s), nil
		},
	})
}
