package lbhcl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"web": "web", "API-Gateway": "api_gateway", "be www": "be_www", "01-db": "s_01_db",
		"www.example.com": "www_example_com", "--x--": "x", strings.Repeat("a", 80): strings.Repeat("a", 63),
	} {
		if got, ok := Label(in, "s_"); !ok || got != want {
			t.Errorf("Label(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "---", "$%&"} {
		if got, ok := Label(in, "s_"); ok {
			t.Errorf("Label(%q) = %q, want no label", in, got)
		}
	}
}

func TestUnique(t *testing.T) {
	taken := map[string]bool{}
	got := []string{Unique("a", taken), Unique("a", taken), Unique("a", taken), Unique("b", taken)}
	if want := []string{"a", "a_2", "a_3", "b"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Unique: %v, want %v", got, want)
	}
}

func TestProjectName(t *testing.T) {
	for _, tc := range [][3]string{
		{"shop", "x.cfg", "shop"}, {"", "/etc/haproxy/haproxy.cfg", "haproxy"}, {"", "conf.d/My_Site.conf", "my-site"},
		{"", "/tmp/123.conf", "imported"}, {"", "", "imported"},
	} {
		if got := ProjectName(tc[0], tc[1]); got != tc[2] {
			t.Errorf("ProjectName(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

func TestListenAddresses(t *testing.T) {
	var l []string
	for _, a := range []string{"", "0.0.0.0", "::"} {
		l = AddListenAddress(l, a)
	}
	if !reflect.DeepEqual(ListenAddresses(l), []string{"0.0.0.0", "::"}) {
		t.Fatalf("got %v", l)
	}
	if got := ListenAddresses(AddListenAddress(nil, "")); got != nil {
		t.Fatalf("every IPv4 address alone is nbac's default, got %v", got)
	}
}

// TestCheckRefusesWhatTheCompilerRefuses: the net under the importers is
// nbac's own compiler, so a value an HCL author could not write is refused.
func TestCheckRefusesWhatTheCompilerRefuses(t *testing.T) {
	ok := &LB{Name: "web", Listen: 8080, Backends: []Backend{{Name: "a", Address: "10.0.0.1:80"}}}
	if errs := Check(ok); errs.HasErrors() {
		t.Fatalf("a plain block is refused: %v", errs)
	}
	for _, bad := range []func(lb *LB){
		func(lb *LB) { lb.Backends[0].Address = "10.0.0.1:80;\nx" },
		func(lb *LB) { lb.ServerNames = []string{"a.example.com; return 200"} },
		func(lb *LB) { lb.HealthPath = "/x y" },
		func(lb *LB) { lb.Sticky = &Sticky{Cookie: "a-b"} },
		func(lb *LB) { lb.TLS = &TLS{Certificate: "/etc/${X}.pem", Key: "/etc/${X}.pem", HTTPPort: 80} },
		func(lb *LB) { lb.Listen = 70000 },
	} {
		lb := *ok
		lb.Backends = append([]Backend{}, ok.Backends...)
		bad(&lb)
		if errs := Check(&lb); !errs.HasErrors() {
			f := hclwrite.NewEmptyFile()
			Write(f, &lb)
			t.Errorf("Check accepted:\n%s", f.Bytes())
		}
	}
}
