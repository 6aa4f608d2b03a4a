package lbtest

import (
	"net/http"
	"testing"
)

// Get sends one GET with the given cookies and returns the status, the
// X-Server header of the backend that answered, and the response (body
// closed): the probe every traffic test through HAProxy and Nginx sends.
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
