// Package importer owns what the `nbac import` readers share: the Result an
// importer returns (HCL files built with hclwrite, plus a report of what it
// did not bring in), the report's vocabulary, and writing the files into a
// directory without clobbering anything.
//
// Each source format has its own package below this one
// (importer/kubernetes, importer/haproxy, importer/nginx); they read the
// estate, never the other way round, and they do not import each other.
// The report is made of hcl.Diagnostics so that the CLI prints it, as text
// or -json, with the same code that prints every other nbac diagnostic:
// a warning per thing not imported, located at its source file and line.
package importer
