// Package graph owns nbac's picture of an estate: a graph built from the
// lowered model (schema.Model) whose nodes are blocks (load balancers and
// their static backends, ingress hosts, services, caches, queues, brokers,
// redis) labelled with the settings that matter when reading the estate
// (replicas or autoscale range, queue workers, cache tiers), and whose
// edges are the references between them (`uses`, `backends_from`, a cache's
// redis, a queue's broker, a broker's redis, an ingress host's service).
//
// It writes the graph as Graphviz DOT (deterministic: the golden tests in
// testdata/ compare it byte for byte), lays it out as SVG with Graphviz's
// own `dot` program (ErrNoGraphviz when it is not installed), and wraps
// that SVG in one self-contained HTML page (no network) with pan, zoom and
// a panel that shows a clicked block's file:line and attributes.
//
// Every node kind is one entry of the kinds table (kinds.go): its style,
// its cluster title and the function that adds its nodes and edges from
// the model. A new block kind (a Gateway API route, a KEDA trigger) is one
// entry there and nothing else.
//
// Mark colours what `nbac plan` would add, change or remove, from the
// plan's per-file origins and a comparison with the previous model.json.
//
// The package is pure apart from Render, which runs `dot`: no clock, no
// environment, no map iteration order in its output.
package graph
