package lang

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// envVarPrefix is the prefix of environment variables that set input
// variables: NBAC_VAR_replicas=3 sets var.replicas.
const envVarPrefix = "NBAC_VAR_"

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
		{Name: "nullable"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// variable is a decoded `variable "name" {}` block and, once resolved, its
// value.
type variable struct {
	name        string
	block       *hcl.Block
	typ         cty.Type
	defaults    *typeexpr.Defaults
	def         *hcl.Attribute
	sensitive   bool
	nullable    bool
	validations []*hcl.BodyContent

	value cty.Value
	// from is where value came from (nil: the command line or the
	// environment, described by fromDesc).
	from     *hcl.Range
	fromDesc string
	ok       bool
}

// noRefs lets an expression use functions but no references.
var noRefs = map[string]bool{}

// decodeVariable reads a variable block's declaration (not its value).
func (l *loader) decodeVariable(b *hcl.Block) *variable {
	v := &variable{name: b.Labels[0], block: b, typ: cty.DynamicPseudoType, nullable: true, ok: true}
	content, diags := b.Body.Content(variableSchema)
	l.add(diags...)
	if diags.HasErrors() {
		v.ok = false
	}
	if a := content.Attributes["type"]; a != nil {
		t, defaults, d := typeexpr.TypeConstraintWithDefaults(a.Expr)
		l.add(d...)
		if d.HasErrors() {
			v.ok = false
		} else {
			v.typ, v.defaults = t, defaults
		}
	}
	v.def = content.Attributes["default"]
	where := fmt.Sprintf("The settings of variable %q", v.name)
	for _, name := range []string{"sensitive", "nullable"} {
		a := content.Attributes[name]
		if a == nil {
			continue
		}
		val, ok := l.eval(a.Expr, noRefs, where)
		if !ok {
			v.ok = false
			continue
		}
		val, err := convert.Convert(val, cty.Bool)
		if err != nil || val.IsNull() {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Incorrect attribute value type",
				Detail: fmt.Sprintf("%s must be true or false.", name), Subject: a.Expr.Range().Ptr()})
			v.ok = false
			continue
		}
		if name == "sensitive" {
			v.sensitive = val.True()
		} else {
			v.nullable = val.True()
		}
	}
	if a := content.Attributes["description"]; a != nil {
		l.eval(a.Expr, noRefs, where) // checked for mistakes; documentation only
	}
	for _, vb := range content.Blocks {
		c, d := vb.Body.Content(validationSchema)
		l.add(d...)
		if !d.HasErrors() {
			v.validations = append(v.validations, c)
		}
	}
	return v
}

// rawValue is a value given for a variable from outside the configuration.
type rawValue struct {
	name string
	// expr is set for var-file values; text for -var and NBAC_VAR_ values.
	expr   hcl.Expression
	text   string
	source string // how to name the source in diagnostics
	rng    *hcl.Range
}

// resolveVariables decodes every variable and gives it its value, in
// Terraform's precedence: default < NBAC_VAR_name < -var-file (in order) <
// -var (in order). Returns the variables by name.
func (l *loader) resolveVariables(p *hclparse.Parser) map[string]*variable {
	vars := map[string]*variable{}
	for _, b := range l.cfg.variables {
		v := l.decodeVariable(b)
		vars[v.name] = v
	}
	declared := make([]string, 0, len(vars))
	for n := range vars {
		declared = append(declared, n)
	}
	given := map[string]rawValue{}
	for _, kv := range l.opts.Environ {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, envVarPrefix) {
			continue
		}
		name := strings.TrimPrefix(k, envVarPrefix)
		if vars[name] == nil {
			continue // the environment is shared with other tools; ignore strangers
		}
		given[name] = rawValue{name: name, text: val, source: "environment variable " + k}
	}
	for _, path := range l.opts.VarFiles {
		l.readVarFile(p, path, vars, declared, given)
	}
	for i, arg := range l.opts.Vars {
		name, val, ok := strings.Cut(arg, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			// The option is not repeated: a mistyped one (db_password:x)
			// may well hold a secret.
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid -var option",
				Detail: fmt.Sprintf("-var option %d of %d is not of the form NAME=VALUE, e.g. -var replicas=3 (it is not shown, in case it holds a secret).", i+1, len(l.opts.Vars))})
			continue
		}
		if vars[name] == nil {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("-var sets %q, but the configuration declares no such variable.%s", name, didYouMean(name, declared))})
			continue
		}
		given[name] = rawValue{name: name, text: val, source: "-var " + name}
	}
	for _, b := range l.cfg.variables {
		v := vars[b.Labels[0]]
		if v.ok {
			l.assign(v, given[v.name])
		}
	}
	return vars
}

// readVarFile reads one -var-file: attributes only, each naming a declared
// variable.
func (l *loader) readVarFile(p *hclparse.Parser, path string, vars map[string]*variable, declared []string, given map[string]rawValue) {
	src, err := os.ReadFile(path)
	if err != nil {
		// The OS error names the path and the reason ("open x.nbvars: no
		// such file or directory"); the parser's own message would only
		// say that a configuration file could not be read.
		what := "cannot be read"
		if errors.Is(err, fs.ErrNotExist) {
			what = "does not exist"
		}
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read var file",
			Detail: fmt.Sprintf("The var file %s given with -var-file %s (%s).", path, what, err)})
		return
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, diags = p.ParseJSON(src, path)
	} else {
		f, diags = p.ParseHCL(src, path)
	}
	l.add(diags...)
	if diags.HasErrors() || f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.add(diags...)
	for _, a := range attrs {
		if vars[a.Name] == nil {
			// Whether it was meant for a sensitive variable is unknown
			// (a typo in the name): its value stays out of the snippet.
			l.secretSource = append(l.secretSource, a.Expr.Range())
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail:  fmt.Sprintf("The var file sets %q, but the configuration declares no such variable.%s", a.Name, didYouMean(a.Name, declared)),
				Subject: a.NameRange.Ptr()})
			continue
		}
		given[a.Name] = rawValue{name: a.Name, expr: a.Expr, source: "var file " + path, rng: a.Expr.Range().Ptr()}
	}
}

// assign evaluates v's value from raw (or its default), converts it to v's
// type and marks it when v is sensitive.
func (l *loader) assign(v *variable, raw rawValue) {
	var val cty.Value
	var ok bool
	var subject *hcl.Range
	switch {
	case raw.expr != nil:
		l.hideIfSensitive(v, raw.expr.Range())
		val, ok = l.evalValue(v, raw.expr, "A var file")
		subject = raw.rng
	case raw.source != "":
		val, subject, ok = l.parseRaw(v, raw)
	case v.def != nil:
		l.hideIfSensitive(v, v.def.Expr.Range())
		val, ok = l.evalValue(v, v.def.Expr, fmt.Sprintf("The default of variable %q", v.name))
		subject = v.def.Expr.Range().Ptr()
	default:
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No value for required variable",
			Detail: fmt.Sprintf("Variable %q has no default, so it must be set with -var %s=VALUE, a -var-file, or %s%s.",
				v.name, v.name, envVarPrefix, v.name),
			Subject: v.block.DefRange.Ptr()})
		ok = false
	}
	if !ok {
		v.ok = false
		return
	}
	v.from, v.fromDesc = subject, sourceName(raw, v)
	if v.defaults != nil {
		val = v.defaults.Apply(val)
	}
	conv, err := convert.Convert(val, v.typ)
	if err != nil {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail:  fmt.Sprintf("The value for variable %q (from %s) does not match its type %s: %s.", v.name, sourceName(raw, v), typeexpr.TypeString(v.typ), err),
			Subject: subject})
		v.ok = false
		return
	}
	if conv.IsNull() && !v.nullable {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail:  fmt.Sprintf("Variable %q is declared nullable = false, but its value is null.", v.name),
			Subject: subject})
		v.ok = false
		return
	}
	if v.sensitive {
		conv = conv.Mark(sensitiveMark)
	}
	v.value = conv
}

func sourceName(raw rawValue, v *variable) string {
	if raw.source != "" {
		return raw.source
	}
	return "its default"
}

// parseRaw turns a -var or NBAC_VAR_ string into a value: taken literally
// for string (and untyped) variables, parsed as an HCL expression otherwise,
// as Terraform does, so -var 'replicas=3' and -var 'hosts=["a","b"]' work.
func (l *loader) parseRaw(v *variable, raw rawValue) (cty.Value, *hcl.Range, bool) {
	if v.typ == cty.String || v.typ == cty.DynamicPseudoType {
		return cty.StringVal(raw.text), nil, true
	}
	name := fmt.Sprintf("<value for var.%s>", v.name)
	text := []byte(raw.text)
	if v.sensitive {
		text = append([]byte(nil), text...)
		maskBytes(text) // the pseudo-file serves snippets only
	}
	l.extraFiles[name] = &hcl.File{Bytes: text}
	expr, diags := hclsyntax.ParseExpression([]byte(raw.text), name, hcl.InitialPos)
	if diags.HasErrors() && v.sensitive {
		// A parse error's detail may quote the text it choked on.
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value of %s is not a valid %s written in HCL (the value is not shown: variable %q is sensitive). Values for variables that are not strings are written in HCL, e.g. 3, true, [\"a\", \"b\"] or { key = \"v\" }.",
				raw.source, typeexpr.TypeString(v.typ), v.name),
			Subject: diags[0].Subject})
		return cty.NilVal, nil, false
	}
	for _, d := range diags {
		d.Detail = fmt.Sprintf("%s (the value of %s).", strings.TrimSuffix(d.Detail, "."), raw.source)
	}
	l.add(diags...)
	if diags.HasErrors() {
		return cty.NilVal, nil, false
	}
	if len(expr.Variables()) > 0 {
		shown := fmt.Sprintf("%q", raw.text)
		if v.sensitive {
			shown = "(sensitive value)"
		}
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value of %s, %s, is not a %s. Values for variables that are not strings are written in HCL, e.g. 3, true, [\"a\", \"b\"] or { key = \"v\" }.",
				raw.source, shown, typeexpr.TypeString(v.typ)),
			Subject: expr.Range().Ptr()})
		return cty.NilVal, nil, false
	}
	val, ok := l.evalValue(v, expr, "A -var value")
	return val, expr.Range().Ptr(), ok
}

// hideIfSensitive records that the source text at rng is a sensitive
// variable's value, so no diagnostic snippet shows it.
func (l *loader) hideIfSensitive(v *variable, rng hcl.Range) {
	if v.sensitive {
		l.secretSource = append(l.secretSource, rng)
	}
}

// evalValue evaluates the expression that gives v its value. The value is
// not marked yet (it is marked once converted), so for a sensitive v it is
// evaluated as if it were: an error's detail, which may spell the value
// (e.g. a function's argument), is replaced.
func (l *loader) evalValue(v *variable, expr hcl.Expression, where string) (cty.Value, bool) {
	if !v.sensitive {
		return l.eval(expr, noRefs, where)
	}
	f := l.fork()
	val, ok := f.eval(expr, noRefs, where)
	for _, d := range f.diags {
		if d.Severity == hcl.DiagError {
			cp := *d
			cp.Detail = fmt.Sprintf("%s (var.%s).", sensitiveHidden, v.name)
			cp.EvalContext = nil
			d = &cp
		}
		l.add(d)
	}
	return val, ok
}

// varObject is the value of `var` in expressions: every variable, failed
// ones unknown so that their uses stay quiet.
func varObject(vars map[string]*variable) cty.Value {
	attrs := map[string]cty.Value{}
	for n, v := range vars {
		if v.ok && v.value != cty.NilVal {
			attrs[n] = v.value
		} else {
			attrs[n] = cty.DynamicVal
		}
	}
	return cty.ObjectVal(attrs)
}

// checkValidations runs every variable's validation blocks against the
// resolved values.
func (l *loader) checkValidations(vars map[string]*variable) {
	onlyVars := map[string]bool{"var": true}
	for _, b := range l.cfg.variables {
		v := vars[b.Labels[0]]
		if !v.ok {
			continue
		}
		for _, c := range v.validations {
			cond, msg := c.Attributes["condition"], c.Attributes["error_message"]
			where := fmt.Sprintf("A validation of variable %q", v.name)
			val, ok := l.eval(cond.Expr, onlyVars, where)
			if !ok {
				continue
			}
			val, _ = val.UnmarkDeep()
			val, err := convert.Convert(val, cty.Bool)
			if err != nil || val.IsNull() {
				l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid validation condition",
					Detail: "A validation condition must be true or false.", Subject: cond.Expr.Range().Ptr()})
				continue
			}
			if val.True() {
				continue
			}
			text := "(no message)"
			if m, ok := l.eval(msg.Expr, onlyVars, where); ok {
				if m.ContainsMarked() {
					text = "(the message is hidden because it uses a sensitive value)"
				} else if s, err := convert.Convert(m, cty.String); err == nil && !s.IsNull() {
					text = s.AsString()
				}
			}
			detail := text
			switch {
			case v.from != nil && !strings.HasPrefix(v.from.Filename, "<"):
				detail += fmt.Sprintf("\n\nThe value was set at %s.", v.from)
			default:
				detail += fmt.Sprintf("\n\nThe value came from %s.", v.fromDesc)
			}
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
				Detail: detail, Subject: cond.Expr.Range().Ptr()})
			v.ok = false
		}
	}
}
