package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNoGraphviz is returned by Render when Graphviz's dot is not installed.
var ErrNoGraphviz = errors.New("Graphviz's dot program is not installed (Debian: apt-get install graphviz); -format dot needs no Graphviz")

// DotProgram is the Graphviz program Render runs, found on PATH.
const DotProgram = "dot"

// Render lays out a DOT graph as SVG with Graphviz's dot. Graphviz is the
// reference layout for DOT: no Go library lays out clusters and labelled
// edges as well, so nbac uses the real program rather than approximate it.
func Render(ctx context.Context, dotSrc []byte) ([]byte, error) {
	bin, err := exec.LookPath(DotProgram)
	if err != nil {
		return nil, ErrNoGraphviz
	}
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dotSrc)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dot -Tsvg failed: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}
