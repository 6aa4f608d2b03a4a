// Package graph benchmarks `nbac graph` on the generated estates
// (bench/estate): building the graph and writing DOT, then laying it out
// with Graphviz's dot and wrapping it in the HTML page, as `nbac graph
// -format html` does. docs/performance.md has the figures.
package graph
