// Package schema owns nbac's lowered, validated intermediate model: plain Go
// types for every block of the language, and their versioned JSON encoding
// (model.json).
//
// Everything downstream of the compiler reads only this package: the emitters
// (emit/...) turn a Model into artifacts and the runtime (runtime/...) turns it
// into caches and queue workers. The front-end (lang/) is the only producer.
//
// Each block keeps its source ranges in a Source value that is never encoded,
// so diagnostics raised after lowering (by schema/validate or an emitter) still
// point into the HCL, while model.json stays free of positions that would make
// it change when a comment moves.
//
// The model never holds a secret value: services name Kubernetes Secrets by
// name and key, and runtimes read credentials from environment variables whose
// names the model carries.
package schema
