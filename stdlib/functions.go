package stdlib

import (
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	cstd "github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions assembles the table. Each call builds a fresh map, so callers
// may add or remove entries without affecting other compilations.
func functions(opts Options) map[string]function.Function {
	fns := map[string]function.Function{
		// Numbers.
		"abs":      cstd.AbsoluteFunc,
		"ceil":     cstd.CeilFunc,
		"floor":    cstd.FloorFunc,
		"log":      cstd.LogFunc,
		"max":      cstd.MaxFunc,
		"min":      cstd.MinFunc,
		"parseint": cstd.ParseIntFunc,
		"pow":      cstd.PowFunc,
		"signum":   cstd.SignumFunc,
		"sum":      sumFunc,

		// Strings.
		"chomp":       cstd.ChompFunc,
		"endswith":    endsWithFunc,
		"format":      cstd.FormatFunc,
		"formatlist":  cstd.FormatListFunc,
		"indent":      cstd.IndentFunc,
		"join":        cstd.JoinFunc,
		"lower":       cstd.LowerFunc,
		"regex":       cstd.RegexFunc,
		"regexall":    cstd.RegexAllFunc,
		"replace":     replaceFunc,
		"split":       cstd.SplitFunc,
		"startswith":  startsWithFunc,
		"strcontains": strContainsFunc,
		"strrev":      cstd.ReverseFunc,
		"substr":      cstd.SubstrFunc,
		"title":       cstd.TitleFunc,
		"trim":        cstd.TrimFunc,
		"trimprefix":  cstd.TrimPrefixFunc,
		"trimspace":   cstd.TrimSpaceFunc,
		"trimsuffix":  cstd.TrimSuffixFunc,
		"upper":       cstd.UpperFunc,

		// Collections.
		"alltrue":         allTrueFunc,
		"anytrue":         anyTrueFunc,
		"chunklist":       cstd.ChunklistFunc,
		"coalesce":        coalesceFunc,
		"coalescelist":    cstd.CoalesceListFunc,
		"compact":         cstd.CompactFunc,
		"concat":          cstd.ConcatFunc,
		"contains":        cstd.ContainsFunc,
		"distinct":        cstd.DistinctFunc,
		"element":         cstd.ElementFunc,
		"flatten":         cstd.FlattenFunc,
		"index":           indexFunc,
		"keys":            cstd.KeysFunc,
		"length":          lengthFunc,
		"lookup":          lookupFunc,
		"matchkeys":       matchKeysFunc,
		"merge":           cstd.MergeFunc,
		"one":             oneFunc,
		"range":           cstd.RangeFunc,
		"reverse":         cstd.ReverseListFunc,
		"setintersection": cstd.SetIntersectionFunc,
		"setproduct":      cstd.SetProductFunc,
		"setsubtract":     cstd.SetSubtractFunc,
		"setunion":        cstd.SetUnionFunc,
		"slice":           cstd.SliceFunc,
		"sort":            cstd.SortFunc,
		"transpose":       transposeFunc,
		"values":          cstd.ValuesFunc,
		"zipmap":          cstd.ZipmapFunc,

		// Encoding.
		"base64decode": base64DecodeFunc,
		"base64encode": base64EncodeFunc,
		"csvdecode":    cstd.CSVDecodeFunc,
		"jsondecode":   cstd.JSONDecodeFunc,
		"jsonencode":   cstd.JSONEncodeFunc,
		"urlencode":    urlEncodeFunc,

		// Hashes (all deterministic; nothing here takes a random salt).
		"base64sha256": base64SHA256Func,
		"base64sha512": base64SHA512Func,
		"md5":          md5Func,
		"sha1":         sha1Func,
		"sha256":       sha256Func,
		"sha512":       sha512Func,

		// Date and time: only functions of their arguments, never the clock.
		"formatdate": cstd.FormatDateFunc,
		"timeadd":    cstd.TimeAddFunc,
		"timecmp":    timeCmpFunc,

		// Networks.
		"cidrhost":    cidrHostFunc,
		"cidrnetmask": cidrNetmaskFunc,
		"cidrsubnet":  cidrSubnetFunc,

		// Types and errors.
		"can":       tryfunc.CanFunc,
		"sensitive": sensitiveFunc,
		"tobool":    cstd.MakeToFunc(cty.Bool),
		"tolist":    cstd.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":     cstd.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":  cstd.MakeToFunc(cty.Number),
		"toset":     cstd.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":  cstd.MakeToFunc(cty.String),
		"try":       tryfunc.TryFunc,

		// nbac's own.
		"duration": durationFunc,
		"env":      envFunc(opts),
	}
	for name, fn := range fileFunctions(opts.Root, fns) {
		fns[name] = fn
	}
	return fns
}
