package kubernetes

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/nbac/nbac/emit/kubernetes/kubecheck"
	"github.com/nbac/nbac/schema"
)

// gatewayDurationRE is the Gateway API Duration pattern (GEP-2257).
var gatewayDurationRE = regexp.MustCompile(`^([0-9]{1,5}(h|m|s|ms)){1,4}$`)

func TestGatewayDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{time.Millisecond, "1ms"}, {time.Second, "1s"}, {90 * time.Second, "1m30s"},
		{time.Hour + 30*time.Minute + 500*time.Millisecond, "1h30m500ms"}, {24 * time.Hour, "24h"},
		{24*time.Hour + 59*time.Minute + 59*time.Second + 999*time.Millisecond, "24h59m59s999ms"},
	} {
		got := gatewayDuration(schema.Duration(tc.in))
		if got == nil || string(*got) != tc.want || !gatewayDurationRE.MatchString(string(*got)) {
			t.Errorf("gatewayDuration(%s) = %v, want %q", tc.in, got, tc.want)
		}
	}
	if gatewayDuration(0) != nil {
		t.Error("a zero duration must be left unset")
	}
}

// Two services asking for TLS on the same host share one listener; a host
// a declared listener serves already adds none.
func TestGatewayListenersFromRoutes(t *testing.T) {
	route := func(hosts ...string) *schema.Route {
		return &schema.Route{Gateway: "edge", Declared: true, Hosts: hosts, Path: "/", PathType: "prefix", TLS: true, TLSSecret: "s-tls"}
	}
	m := &schema.Model{
		Project:  schema.Project{Name: "shop", Namespace: "shop"},
		Gateways: []schema.Gateway{{Name: "edge", Namespace: "shop", Class: "envoy", Listeners: []schema.Listener{{Name: "wild", Protocol: "HTTPS", Port: 443, Hostname: "*.example.com", TLSSecret: "wild"}}}},
		Services: []schema.Service{
			{Name: "a", Image: "r/a:1", Port: 8080, Route: route("a.example.net", "*.example.com")},
			{Name: "b", Image: "r/b:1", Port: 8080, Route: route("a.example.net", "b.example.net")},
		},
	}
	g := gatewayObject(m, &m.Gateways[0])
	var names []string
	for _, l := range g.Spec.Listeners {
		names = append(names, string(l.Name))
	}
	if want := []string{"wild", "https-a.example.net", "https-b.example.net"}; !slices.Equal(names, want) {
		t.Fatalf("listeners %v, want %v", names, want)
	}
	arts, diags := emitGateways(m)
	if diags.HasErrors() || len(arts) != 1 {
		t.Fatalf("emitGateways: %v", diags)
	}
	if err := kubecheck.Validate(arts[0].Data); err != nil {
		t.Fatal(err)
	}
}

// A gateway name that would escape the output directory is refused even
// when the model did not come through validation.
func TestGatewayNameGuard(t *testing.T) {
	m := &schema.Model{Project: schema.Project{Name: "p", Namespace: "p"}, Gateways: []schema.Gateway{{Name: "../x", Namespace: "p", Class: "c"}}}
	arts, diags := emitGateways(m)
	if len(arts) != 0 || !diags.HasErrors() {
		t.Fatalf("got %d artifacts, diags %v", len(arts), diags)
	}
}
