package main

import "github.com/nbac/nbac/importer/nginx"

func init() {
	registerImportKind("nginx", importKind{
		summary: "Import nginx.conf files (http and stream upstreams) as load_balancer blocks",
		args:    "FILE...",
		run:     nginx.Import,
	})
}
