package compile

import (
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// helmRender renders the chart in chartDir with values (YAML) the way
// `helm template` does, through Helm's own loader and engine, and returns
// the manifests as one multi-document YAML stream.
func helmRender(chartDir string, values []byte) (string, error) {
	ch, err := loader.Load(chartDir)
	if err != nil {
		return "", fmt.Errorf("load chart: %w", err)
	}
	vals, err := chartutil.ReadValues(values)
	if err != nil {
		return "", fmt.Errorf("read values: %w", err)
	}
	rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "estate", Namespace: "estate"}, nil)
	if err != nil {
		return "", fmt.Errorf("render values: %w", err)
	}
	out, err := engine.Render(ch, rv)
	if err != nil {
		return "", fmt.Errorf("render: %w", err)
	}
	names := make([]string, 0, len(out))
	for n := range out {
		if strings.HasSuffix(n, ".yaml") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(out[n])
	}
	return b.String(), nil
}
