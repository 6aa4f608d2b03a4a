// Package emit owns the shape every emitter returns: an Artifact (a path
// relative to the output directory, its bytes, and the block it came from).
//
// Emitters live in subpackages, one per consumer (kubernetes, haproxy,
// nginx), and are pure, deterministic functions of a *schema.Model: no
// clock, no environment, no map iteration order, no I/O. Each returns its
// artifacts and hcl.Diagnostics (warnings for features a target can only
// approximate; errors where the result would be unsafe). Package emit/build
// runs them all and owns the output directory.
package emit
