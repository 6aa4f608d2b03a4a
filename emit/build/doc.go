// Package build runs every emitter over a model and owns the output
// directory: Artifacts collects model.json and the Kubernetes, HAProxy and
// Nginx artifacts into one sorted list, and Write puts them on disk.
//
// nbac owns the files it writes, not the whole directory. A manifest,
// DIR/.nbac-manifest.json, lists every file the last build wrote; the next
// build deletes the listed files it no longer produces and never touches a
// file that is not listed. Every file is replaced atomically (temporary file
// in the same directory, fsync, rename), unchanged files are left alone so
// their modification times stay put, and the manifest is written last.
package build
