// Package roundtrip owns `nbac import kubernetes -check`: it builds the HCL
// an import produced the way `nbac build` does (lang -> schema ->
// emit/build) and compares each original object with the object nbac
// writes for it, with go-cmp over the typed k8s.io/api values.
//
// Every difference is classified: expected (one of nbac's deliberate
// additions or defaults that docs/import.md lists, each rule with its
// reason: rules.go), reported (the import already reported that field as
// not imported, at its source line), or unexpected. A correct import of a
// corpus estate has no unexpected difference; the tests assert it.
//
// It lives apart from importer/kubernetes because it needs the compiler
// and the emitters, which the reader must not depend on.
package roundtrip
