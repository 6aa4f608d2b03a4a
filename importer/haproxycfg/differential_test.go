package haproxycfg

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
)

// noticeRe is HAProxy's echo of a `.notice WORD` line: the word as its own
// parser read it.
var noticeRe = regexp.MustCompile(`parsing \[[^:\]]+:(\d+)\]: '(.*)'\.$`)

var alertRe = regexp.MustCompile(`\[ALERT\].*parsing \[[^:\]]+:(\d+)\]`)

// TestSplitLineAgreesWithHAProxy is differential: thousands of words made
// of the characters that quoting and escaping are about go into
// `.notice WORD` lines, which HAProxy echoes as it read them (or refuses);
// haproxycfg must read every word the same, and refuse the same lines.
// Words that use an environment variable are left out (HAProxy expands
// them; haproxycfg marks them, and the importer refuses them), as are
// \n and \r escapes (they would split HAProxy's echo across lines).
func TestSplitLineAgreesWithHAProxy(t *testing.T) {
	bin := lbctltest.Binary(t, "haproxy")
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", " ", "\t", `"`, `'`, `\`, "#", "x", "4", "1", "$", "{", "}", ".", "t"}
	words := []string{`"a  b"`, `c\ d`, `'e\nf $H'`, `"x\x41\ty"`, `\.php$`, `a"b c"d`, `'#x'`, `"it's"`, `'say "hi"'`, `\'\"\\`, `"\$HOME"`}
	for len(words) < 3000 {
		var b strings.Builder
		for n := 1 + rng.IntN(8); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		words = append(words, b.String())
	}
	type want struct {
		text string
		err  bool
	}
	var plain, refused []string
	readAs := map[string]want{}
	for _, w := range words {
		line := "  .notice " + w
		if strings.Contains(w, `\n`) || strings.Contains(w, `\r`) {
			continue
		}
		args, err := SplitLine(line)
		switch {
		case err != nil:
			refused = append(refused, line)
			readAs[line] = want{err: true}
		case len(args) != 2 || args[1].Env || args[1].Text == "" || strings.ContainsAny(args[1].Text, "\n\r"):
			continue // not one plain argument: not a question about quoting
		default:
			plain = append(plain, line)
			readAs[line] = want{text: args[1].Text}
		}
	}
	// HAProxy stops after 50 fatal errors in a file: refused lines go in
	// files of 40.
	batches := [][]string{plain}
	for i := 0; i < len(refused); i += 40 {
		batches = append(batches, refused[i:min(i+40, len(refused))])
	}
	agree, bothRefuse := 0, 0
	for bi, batch := range batches {
		cfg := "global\n" + strings.Join(batch, "\n") + "\ndefaults\n  mode http\n"
		path := filepath.Join(t.TempDir(), fmt.Sprintf("notice%d.cfg", bi))
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(bin, "-c", "-f", path).CombinedOutput()
		got := map[int]want{}
		for _, l := range strings.Split(string(out), "\n") {
			if m := noticeRe.FindStringSubmatch(l); m != nil && strings.Contains(l, "[NOTICE]") {
				n, _ := strconv.Atoi(m[1])
				got[n] = want{text: m[2]}
			} else if m := alertRe.FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				got[n] = want{err: true}
			}
		}
		for i, line := range batch {
			w, g := readAs[line], got[i+2]
			if g != w {
				t.Errorf("%s: haproxycfg %s, HAProxy %s", line, show(w.text, w.err), show(g.text, g.err))
				continue
			}
			agree++
			if w.err {
				bothRefuse++
			}
		}
	}
	t.Logf("%d lines read alike by haproxycfg and HAProxy 2.6 (%d refused by both)", agree, bothRefuse)
	if agree < 1000 {
		t.Fatalf("only %d lines compared; the generator or HAProxy's echo changed", agree)
	}
}

func show(text string, err bool) string {
	if err {
		return "refuses it"
	}
	return fmt.Sprintf("reads %q", text)
}
