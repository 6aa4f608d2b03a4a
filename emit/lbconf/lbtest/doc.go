// Package lbtest holds fixtures shared by the load-balancer tests of
// emit/haproxy, emit/nginx and schema/validate: models built directly (no
// HCL), a throw-away TLS certificate, the hostile-input table and the
// drivers that run it through each target's emitter and printer.
package lbtest
