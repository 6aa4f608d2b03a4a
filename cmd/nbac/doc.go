// Command nbac compiles one HCL configuration into Kubernetes manifests,
// HAProxy and Nginx configurations and model.json.
//
// This package only wires the parts together: lang loads the configuration,
// emit/build runs the emitters and owns the output directory, emit/plan
// compares a build with what is on disk. Each subcommand lives in its own
// file and registers itself in init (see commands.go); diagnostics.go renders
// diagnostics for people (text) and machines (-json, -format github). The
// exact contract (commands, flags, exit codes, JSON formats) is docs/cli.md.
package main
