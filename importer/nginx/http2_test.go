package nginx

import (
	"strings"
	"testing"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// TestHTTP2On: Nginx 1.25's `http2 on;` is read like 1.22's `listen ...
// http2` (the corpus is checked by the installed 1.22, which lacks it).
func TestHTTP2On(t *testing.T) {
	src := `http {
    upstream app { server 10.0.0.1:80; }
    server {
        listen 443 ssl;
        http2 on;
        ssl_certificate /etc/nginx/tls/app.pem;
        location / { proxy_pass http://app; }
    }
}
`
	r := lbhcltest.ImportText(t, Import, "nginx.conf", src)
	hcl := string(importer.Bytes(r.Files["load_balancers.hcl"]))
	if !strings.Contains(hcl, "http2") || !strings.Contains(hcl, "redirect_http = false") {
		t.Fatalf("http2 on; not imported:\n%s", hcl)
	}
}
