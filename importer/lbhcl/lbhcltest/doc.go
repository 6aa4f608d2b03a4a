// Package lbhcltest holds the test harness the HAProxy and Nginx importers
// share: golden files (input -> HCL + report, refreshed with -update) and
// building the imported HCL as `nbac build` does.
package lbhcltest
