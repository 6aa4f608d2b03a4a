// Package stdlib owns the functions nbac configurations may call: go-cty's
// standard library as Terraform exposes it, plus file() confined to the
// configuration directory through os.Root, env() limited to allowed names
// with every read recorded, and duration(). No function is impure (no
// timestamp, uuid) and none reaches the network, so a build is a pure
// function of its inputs.
package stdlib
