package stdlib

import (
	"math/big"
	"net/netip"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// CIDR arithmetic on net/netip, for addressing plans written in the
// configuration (subnets per environment, a fixed host address).

var cidrHostFunc = function.New(&function.Spec{
	Description: "Returns the address of host number hostnum in prefix (negative numbers count back from the end).",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		num, err := wholeNumber(args[1], 1)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		hostBits := uint(p.Addr().BitLen() - p.Bits())
		size := new(big.Int).Lsh(big.NewInt(1), hostBits)
		if num.Sign() < 0 {
			num.Add(num, size)
		}
		if num.Sign() < 0 || num.Cmp(size) >= 0 {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "host number %s does not fit in %s, which has %s addresses", args[1].AsBigFloat().Text('f', -1), p, size)
		}
		return cty.StringVal(addOffset(p.Addr(), num).String()), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Description: "Returns the dotted netmask of an IPv4 prefix, such as 255.255.0.0 for 10.0.0.0/16.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		if !p.Addr().Is4() {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "netmasks exist only for IPv4; %s is IPv6", p)
		}
		mask := new(big.Int).Lsh(big.NewInt(1), 32)
		mask.Sub(mask, new(big.Int).Lsh(big.NewInt(1), uint(32-p.Bits())))
		return cty.StringVal(addOffset(netip.IPv4Unspecified(), mask).String()), nil
	},
})

var cidrSubnetFunc = function.New(&function.Spec{
	Description: "Returns subnet number netnum of prefix, newbits longer than it (cidrsubnet(\"10.0.0.0/16\", 8, 2) is 10.0.2.0/24).",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := parsePrefix(args[0])
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		nb, err := wholeNumber(args[1], 1)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		newLen := p.Bits() + int(nb.Int64())
		if nb.Sign() < 0 || !nb.IsInt64() || newLen > p.Addr().BitLen() {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(1, "%s has only %d bits left to extend the prefix by", p, p.Addr().BitLen()-p.Bits())
		}
		num, err := wholeNumber(args[2], 2)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		if num.Sign() < 0 || num.Cmp(new(big.Int).Lsh(big.NewInt(1), uint(nb.Int64()))) >= 0 {
			return cty.UnknownVal(cty.String), function.NewArgErrorf(2, "subnet number %s does not fit in %d new bits", num, nb.Int64())
		}
		off := new(big.Int).Lsh(num, uint(p.Addr().BitLen()-newLen))
		return cty.StringVal(netip.PrefixFrom(addOffset(p.Addr(), off), newLen).String()), nil
	},
})

func parsePrefix(v cty.Value) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(v.AsString())
	if err != nil {
		return netip.Prefix{}, function.NewArgErrorf(0, "not a CIDR prefix such as \"10.0.0.0/16\": %s", err)
	}
	return p.Masked(), nil
}

func wholeNumber(v cty.Value, arg int) (*big.Int, error) {
	n, acc := v.AsBigFloat().Int(nil)
	if acc != big.Exact {
		return nil, function.NewArgErrorf(arg, "must be a whole number")
	}
	return n, nil
}

// addOffset returns addr + off; the caller has checked it fits.
func addOffset(addr netip.Addr, off *big.Int) netip.Addr {
	b := addr.AsSlice()
	n := new(big.Int).SetBytes(b)
	n.Add(n, off)
	out := n.FillBytes(make([]byte, len(b)))
	a, _ := netip.AddrFromSlice(out)
	return a
}
