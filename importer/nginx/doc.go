// Package nginx imports nginx.conf files: each upstream that a server block
// proxies to (http and stream) becomes one nbac load_balancer block
// (targets = ["nginx"]), with the listening server's ports, names, TLS,
// rate limit and timeouts; a server block that only redirects to https
// becomes the block's redirect. Every other directive is reported
// (importer.Result.NotImported) at its file and line, with the reason.
// docs/import.md has the mapping table.
//
// Files are parsed with github.com/tufanbarisyildirim/gonginx, which keeps
// line numbers for leaf directives but records a block at its closing
// brace; blockLine finds the opening line in the source instead. The
// blocks are written, and compiled by nbac's own compiler before they are
// kept, by importer/lbhcl.
package nginx
