package main

import "github.com/nbac/nbac/importer/haproxy"

func init() {
	registerImportKind("haproxy", importKind{
		summary: "Import haproxy.cfg files as load_balancer blocks",
		args:    "FILE...",
		run:     haproxy.Import,
	})
}
