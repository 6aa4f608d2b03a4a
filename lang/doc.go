// Package lang owns nbac's language front-end: it reads HCL files (native
// syntax and JSON), decodes each block kind against its schema, resolves and
// checks references between blocks, evaluates variables, locals and blocks
// in dependency order, and lowers the result into a *schema.Model, reporting
// every problem as an hcl.Diagnostic with a source range.
//
// The passes, in load.go, and where each lives:
//
//   - files.go: find the configuration files (sorted) and parse them,
//     reading unsaved editor buffers from Options.Overlay first;
//   - config.go: sort top-level blocks by kind, reject duplicates;
//   - refs.go: static reference extraction and checks ("did you mean");
//   - variables.go: declarations, values by precedence, validation blocks;
//   - locals.go: dependency graph, cycles, evaluation in order;
//   - decode.go: typed attribute accessors shared by every block (ranges,
//     sensitive values, durations, quantities, enums, references);
//   - project.go, service.go, loadbalancer.go, runtime_blocks.go: one
//     lowering per block kind, applying the defaults documented in
//     docs/language.md;
//   - schematree.go: the tree of block schemas the lowerings decode with,
//     exported as Schema() for tools (the language server, lang/lsp);
//   - blocks.go: lowering order and concurrency; the model's semantic
//     checks then run from schema/validate, on every block, even when
//     others failed; phases.go drops what they say about the blocks that
//     failed to lower, so one run reports every mistake once (issue 14).
//
// Speed (issue 7): files are parsed concurrently, and blocks are lowered
// concurrently too, each with a fork of the loader whose diagnostics are
// merged in block order, so the output is the same as a sequential run.
// Lowering avoids work on the success path: bodies without dynamic blocks
// skip dynblock, constant expressions skip the reference walk, evaluation
// contexts holding no root or one root are built once and shared (an
// expression still sees only the roots it references), and lists and maps
// of plain strings are read without conversion. What remains is mostly
// HCL's lexer and the garbage collector (docs/performance.md).
//
// Secrets are tracked with cty marks (marks.go): nothing marked sensitive
// may reach the model, and no diagnostic may show a sensitive value
// (redact.go: evaluation errors that read one are redacted in loader.add,
// and its source text is masked in the files diagnostics render from).
// secretenv.go warns about plain env values under secret-like names.
package lang
