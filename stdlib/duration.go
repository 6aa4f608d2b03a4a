package stdlib

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// durationFunc checks and normalizes a duration. It takes a Go/Terraform
// duration string ("90s", "1h30m", "250ms") or a number of seconds (so
// arithmetic works: duration(var.base_timeout * 2)) and returns the
// canonical string every nbac duration attribute accepts, with zero units
// dropped: duration("90s") == "1m30s", duration(3600) == "1h".
var durationFunc = function.New(&function.Spec{
	Description: `Normalizes a duration given as a string ("90s") or a number of seconds (90) to its canonical string ("1m30s").`,
	Params: []function.Parameter{{
		Name: "value", Type: cty.DynamicPseudoType,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		switch ty := args[0].Type(); ty {
		case cty.String, cty.Number, cty.DynamicPseudoType:
			return cty.String, nil
		default:
			return cty.NilType, function.NewArgErrorf(0, "duration needs a string such as \"30s\" or a number of seconds, not %s", ty.FriendlyName())
		}
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		d, err := parseDurationValue(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgError(0, err)
		}
		return cty.StringVal(FormatDuration(d)), nil
	},
})

type durationError string

func (e durationError) Error() string { return string(e) }

func parseDurationValue(v cty.Value) (time.Duration, error) {
	if v.Type() == cty.Number {
		secs, _ := v.AsBigFloat().Float64()
		if math.IsInf(secs, 0) || math.Abs(secs) > math.MaxInt64/float64(time.Second) {
			return 0, durationError("duration " + v.AsBigFloat().Text('g', 10) + " seconds is out of range")
		}
		if secs < 0 {
			return 0, durationError("a duration must not be negative, got " + strconv.FormatFloat(secs, 'g', -1, 64) + " seconds")
		}
		// Round through big.Float so 0.1 seconds is exactly 100ms.
		ns, _ := new(big.Float).Mul(v.AsBigFloat(), big.NewFloat(float64(time.Second))).Int64()
		return time.Duration(ns), nil
	}
	s := strings.TrimSpace(v.AsString())
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, durationError(`not a duration: write a number with a unit, such as "500ms", "30s", "1m30s" or "2h" (units ns, us, ms, s, m, h)`)
	}
	if d < 0 {
		return 0, durationError("a duration must not be negative, got " + strconv.Quote(s))
	}
	return d, nil
}

// FormatDuration writes d in the canonical form duration() returns: hours,
// minutes and seconds with zero units dropped ("1h", "1h30m", "1m30s"),
// sub-second parts as a fraction of the second ("1.5s") or, below one
// second, in the largest unit that fits ("250ms"). time.ParseDuration reads
// every result back to the same value.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	if d < time.Second {
		// time.Duration.String picks ms/µs/ns; spell µs as "us" so the
		// output is ASCII.
		b.WriteString(strings.Replace(d.String(), "µ", "u", 1))
		return b.String()
	}
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
	}
	if d > 0 {
		if d < time.Second {
			b.WriteString(strings.Replace(d.String(), "µ", "u", 1))
		} else {
			b.WriteString(d.String()) // below a minute: "5s" or "5.25s"
		}
	}
	return b.String()
}
