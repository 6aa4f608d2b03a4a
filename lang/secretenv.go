package lang

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// A service's env values are written in plain text to its ConfigMap and to
// model.json. A name that says "secret" (DB_PASSWORD, STRIPE_API_KEY) with a
// value in env is most likely a secret pasted into the configuration, so it
// gets a warning pointing at secret_env. The rule works on the name's
// '_'-separated words, upper-cased (documented in docs/language.md):
//
//   - a word in secretWords, or two adjacent words in secretPairs, marks the
//     name as secret-like; PASS counts only as the last word (DB_PASS, not
//     PASS_THROUGH);
//   - unless the last word says the value only points at or describes the
//     secret (notSecretSuffixes: PASSWORD_FILE, TOKEN_URL, SECRET_NAME,
//     API_KEY_ID, PASSWORD_ENV...), which is what such names are for.
//
// An empty value is not a secret and draws nothing.
var (
	secretWords = map[string]bool{
		"PASSWORD": true, "PASSWD": true, "PASSPHRASE": true, "SECRET": true, "SECRETS": true,
		"TOKEN": true, "CREDENTIAL": true, "CREDENTIALS": true, "APIKEY": true,
	}
	secretPairs = map[[2]string]bool{
		{"API", "KEY"}: true, {"PRIVATE", "KEY"}: true, {"ACCESS", "KEY"}: true,
		{"SIGNING", "KEY"}: true, {"ENCRYPTION", "KEY"}: true, {"MASTER", "KEY"}: true,
	}
	notSecretSuffixes = map[string]bool{
		"FILE": true, "PATH": true, "DIR": true, "URL": true, "URI": true, "ENDPOINT": true,
		"ID": true, "NAME": true, "ENV": true, "HEADER": true, "TTL": true, "LENGTH": true,
		"ENABLED": true, "REF": true,
	}
)

// secretLikeName returns the words of name that make it look like it holds
// a secret ("API_KEY", "PASSWORD"), or "" when it does not.
func secretLikeName(name string) string {
	words := strings.Split(strings.ToUpper(name), "_")
	last := words[len(words)-1]
	if notSecretSuffixes[last] {
		return ""
	}
	for i, w := range words {
		if secretWords[w] {
			return w
		}
		if i > 0 && secretPairs[[2]string{words[i-1], w}] {
			return words[i-1] + "_" + w
		}
	}
	if last == "PASS" && len(words) > 1 {
		return last
	}
	return ""
}

// warnSecretLikeEnv warns at each env entry of a service whose name looks
// like a secret and whose value is not empty (sensitive values never get
// here: reading env rejects them). The warning points at the entry when env
// is written as an object literal, else at the env attribute.
func (b *body) warnSecretLikeEnv(env map[string]string, svc string) {
	a := b.c.Attributes["env"]
	if a == nil || len(env) == 0 {
		return
	}
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		word := secretLikeName(n)
		if word == "" || env[n] == "" {
			continue
		}
		b.l.add(&hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Secret-like environment variable in plain text",
			Detail: fmt.Sprintf("env %s of service %q looks like a secret (its name contains %s), but env values are written in plain text to the service's ConfigMap and to model.json. Keep the value in a Kubernetes Secret and read it with a block secret_env %q { secret = \"...\", key = \"...\" } instead of env. If it is not a secret, a name that says what it is (e.g. ending in _FILE, _URL or _NAME) draws no warning.",
				n, svc, word, n),
			Subject: envEntryRange(a, n).Ptr(),
		})
	}
}

// envEntryRange is the range of `NAME = value` in an object literal, or of
// the whole expression when env is built otherwise (merge(), a local).
func envEntryRange(a *hcl.Attribute, name string) hcl.Range {
	if obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range obj.Items {
			k, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type().FriendlyName() != "string" {
				continue
			}
			if k.AsString() == name {
				return hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
			}
		}
	}
	return a.Expr.Range()
}
