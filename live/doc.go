// Package live is the floor that compares a build with what is running:
// the Kubernetes API server (live/kube), a running HAProxy (live/lb) and the
// message brokers (live/brokers). Each sub-package reads live state, turns
// the difference into emit/plan's change format (so `nbac plan -live`
// prints like `nbac plan`), and applies what the model asks for. Package
// live itself holds only this documentation; cmd/nbac wires the tiers.
package live
