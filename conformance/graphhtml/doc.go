// Package graphhtml is the browser test of `nbac graph -format html`: it
// opens the page that emit/graph writes in headless Chromium (Debian
// package chromium, driven with chromedp over the DevTools protocol) and
// checks that it loads with no console error or CSP violation, draws every
// node, pans and zooms, and that a real click on a block shows its
// file:line and attributes. Hostile names and values must reach the panel
// as text and inject nothing.
//
// It is its own module so that chromedp stays out of the main module's
// dependencies; `make test-graph-html` runs it (and `make test` calls that).
// NBAC_UPDATE_SCREENSHOT=1 rewrites docs/images/nba-graph.png.
package graphhtml
