// Package nginx owns the Nginx 1.22 (open source) emitter: one
// self-contained nginx/<load_balancer>.conf per load_balancer block whose
// targets contain "nginx": a whole nginx.conf (events, http and/or stream),
// with pid and logs relative to the prefix, accepted by
// `nginx -t -q -c ABS_FILE -p PREFIX/` with no [warn] line.
//
// Configurations are built as a typed directive tree (build.go) and written
// by one printer (printer.go), through which every argument passes: a value
// is printed bare when it is a safe word, double-quoted when it only adds
// spaces or ';', and refused otherwise. Nginx variables ($host, ...) exist
// only in expression arguments the compiler writes, which the printer checks
// against their own grammar, so no user string can end a directive, open or
// close a block, start a comment or interpolate a variable.
//
// Where open source Nginx cannot express a feature (active health checks,
// cookie insertion), the emitter writes the documented approximation and a
// warning diagnostic naming the block, the attribute and the target.
package nginx
