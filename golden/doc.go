// Package golden holds nbac's golden tests: each golden/*.txtar file is a
// configuration (its input files and command-line arguments) together with
// every artifact and diagnostic nbac must produce for it, compared byte for
// byte. README.md describes the format; `go test ./golden -update` rewrites
// the expected sections after an intended change.
//
// Its only code reads a case (ReadCase, Options, WriteInputs), so that other
// packages' tests can run their checks over every case too. Its tests also
// check determinism (two runs, shuffled file order), validate every emitted
// artifact with the same validators as the emitters' tests, and build every
// example with each of its var files.
package golden
