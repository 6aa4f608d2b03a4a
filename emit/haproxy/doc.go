// Package haproxy owns the HAProxy 2.6 emitter: one self-contained
// haproxy/<load_balancer>.cfg per load_balancer block whose targets contain
// "haproxy", accepted by `haproxy -dW -c -f FILE`.
//
// Configurations are built as typed sections and lines (build.go) and
// written by one printer (printer.go), through which every argument passes:
// a value is printed bare when it is a safe word, single-quoted when it only
// adds spaces or ';', and refused otherwise, so no string can add a line,
// start a comment, expand "${VAR}" or evaluate a "%[...]" sample, even one
// that slipped past schema/validate. The Host checks' regular expression and
// regsub sample (host.go) are package constants, the only strings printed
// as the fixed kind.
package haproxy
