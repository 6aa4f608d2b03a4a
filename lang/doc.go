// Package lang owns nbac's language front-end: it reads HCL files (native
// syntax and JSON), decodes each block kind against its schema, resolves and
// checks references between blocks, evaluates variables, locals and blocks
// in dependency order, and lowers the result into a *schema.Model, reporting
// every problem as an hcl.Diagnostic with a source range.
package lang
