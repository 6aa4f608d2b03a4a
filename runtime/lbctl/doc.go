// Package lbctl drives a running HAProxy through its runtime API (the
// admin stats socket), with the compiled model as the source of truth.
//
// It owns: dialling the socket (a unix path or tcp:host:port), reading the
// live servers of a backend (show servers state + show stat), changing a
// server's admin state and weight, adding and deleting dynamic servers,
// saving server state for reloads, and Sync, which plans and applies the
// changes that make a backend match a schema.LoadBalancer without a reload.
//
// Every command is built from words that pass a strict allow-list (no
// spaces, newlines, ';' or '#'), so no name or address can smuggle a second
// command onto the socket: HAProxy splits a line on ';' and runs each part.
//
// The backend and server names follow the HAProxy emitter's convention
// (BackendName, ServerName); the runtime never imports emit, so
// emit/lbtest checks that both agree.
package lbctl
