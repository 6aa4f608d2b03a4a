package lbhcltest

import (
	"net/http"
	"testing"

	"github.com/nbac/nbac/importer"
)

// ImportText imports text as a file called name; any error fails the test.
func ImportText(t testing.TB, imp Import, name, text string) *importer.Result {
	t.Helper()
	r := imp([]string{WriteTemp(t, name, text)}, importer.Options{Project: "behaviour"})
	if r.Diags.HasErrors() {
		t.Fatalf("import failed:\n%s", Report(r))
	}
	t.Logf("import report:\n%s", Report(r))
	return r
}

// Get sends one GET with the given cookies and returns the status, the
// X-Server that answered and the response.
func Get(t testing.TB, c *http.Client, url string, cookies ...*http.Cookie) (int, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Server"), resp
}

// Within reports whether got is want +- tol.
func Within(got, want, tol int) bool { return got >= want-tol && got <= want+tol }
