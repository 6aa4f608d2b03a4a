// Package haproxy imports haproxy.cfg files: each frontend with a
// default_backend, and each listen section, becomes one nbac
// load_balancer block (targets = ["haproxy"]); the global and defaults
// sections contribute what applies to it. Every line is either imported or
// reported (importer.Result.NotImported) at its file and line, with the
// reason. docs/import.md has the mapping table.
//
// Lines are read by importer/haproxycfg; the blocks are written, and
// compiled by nbac's own compiler before they are kept, by importer/lbhcl.
package haproxy
