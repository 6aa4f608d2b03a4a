// Package lbhcl owns what the HAProxy and Nginx importers share: LB, the
// load_balancer block they fill in from their source, written as HCL with
// hclwrite (attributes in the order docs/language.md lists them, only those
// that differ from nbac's defaults), the project block the output needs to
// build on its own, the naming rule for labels, and Check, which compiles
// each imported block with nbac's own compiler (lang, then the HAProxy and
// Nginx emitters) so that an imported value passes the very allow-lists an
// HCL author's would, or the block is not written at all.
package lbhcl
