package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
)

// The services the scripts of testdata/live-systems talk to: the shared
// RabbitMQ and Redis of the machine (CI starts them), and haproxy started
// per script on the configuration nbac emitted.
const (
	systemsAMQPURL = "amqp://guest:guest@127.0.0.1:5672/"
	systemsRedis   = "127.0.0.1:6379"
)

// systemsDeadline bounds one conversation of a command with a service: a
// deadline for a broken setup, not a window a healthy one must meet.
const systemsDeadline = 2 * time.Minute

// TestLiveSystemsScripts runs testdata/live-systems: `nbac plan -live` and
// `nbac apply` against the real HAProxy (on the emitted config), RabbitMQ,
// Redis and an in-process Kafka (kfake, one cluster for the test, its seeds
// in $KAFKA_SEEDS), with no Kubernetes API server and no kubeconfig. The
// scripts make drift with the commands below, through the services' own
// protocols, not through nbac.
//
// Conditions [haproxy], [rabbitmq] and [redis] say whether the service is
// there; a script skips loudly without it (`[!haproxy] skip '...'`), and
// under NBAC_REQUIRE_SERVICES=1 (CI) a missing one fails the script instead.
//
// Environment of every script: $UNIQ is a name part unique to this run
// (queue, key and topic names use it), $AMQP_URL the shared RabbitMQ,
// $KAFKA_SEEDS the kfake cluster; HOME has no ~/.kube and KUBECONFIG is
// unset.
func TestLiveSystemsScripts(t *testing.T) {
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kafka.Close)
	seeds := strings.Join(kafka.ListenAddrs(), ",")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/live-systems",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "")
			env.Setenv("UNIQ", uniq())
			env.Setenv("AMQP_URL", systemsAMQPURL)
			env.Setenv("KAFKA_SEEDS", seeds)
			env.Values[systemsKey{}] = &systemsState{parent: t}
			return nil
		},
		Condition: systemsCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport":   cmdFreePort,
			"expand":     cmdExpand,
			"backend":    cmdBackend,
			"haproxy":    cmdHAProxy,
			"hasock":     cmdHASock,
			"amqp":       cmdAMQP,
			"redis":      cmdRedis,
			"kafka":      cmdKafka,
			"planschema": cmdPlanSchema,
		},
	})
}

// uniq is a lower-case name part (a letter, then hex) that no other run
// uses, valid in HCL labels, queue names, keys and topics.
func uniq() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return fmt.Sprintf("t%x", b)
}

type systemsKey struct{}

// systemsState is one script's running processes.
type systemsState struct {
	parent  *testing.T
	haproxy *lbctltest.Proc
}

func state(ts *testscript.TestScript) *systemsState {
	return ts.Value(systemsKey{}).(*systemsState)
}

// systemsCondition answers [haproxy], [rabbitmq] and [redis].
func systemsCondition(cond string) (bool, error) {
	var missing string
	switch cond {
	case "haproxy":
		if _, err := haproxyBinary(); err != nil {
			missing = "haproxy is not installed (apt-get install -y haproxy)"
		}
	case "rabbitmq":
		missing = unreachable("RabbitMQ", "127.0.0.1:5672")
	case "redis":
		missing = unreachable("Redis", systemsRedis)
	default:
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if missing == "" {
		return true, nil
	}
	if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
		return false, fmt.Errorf("NBAC_REQUIRE_SERVICES=1: %s", missing)
	}
	fmt.Fprintf(os.Stderr, "SKIP: %s: live-systems scripts that need it did NOT run\n", missing)
	return false, nil
}

func unreachable(what, addr string) string {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return fmt.Sprintf("%s is not reachable at %s (%v)", what, addr, err)
	}
	c.Close()
	return ""
}

// haproxyBinary finds haproxy where lbctltest.Binary looks (Debian puts it
// in /usr/sbin, not always on PATH).
func haproxyBinary() (string, error) {
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		if fi, err := os.Stat(filepath.Join(dir, "haproxy")); err == nil && fi.Mode()&0o111 != 0 {
			return filepath.Join(dir, "haproxy"), nil
		}
	}
	return "", errors.New("haproxy not found")
}

// scriptTB lets lbctltest start processes for a script: a failure fails
// the script, cleanups run when the script ends (ts.Defer). Errorf, which
// lbctltest calls only from a cleanup (a process that outlived SIGKILL),
// fails the whole test, since a script cannot fail after it has ended.
type scriptTB struct {
	ts     *testscript.TestScript
	parent *testing.T
}

func (s scriptTB) Helper()                      {}
func (s scriptTB) Fatalf(f string, args ...any) { s.ts.Fatalf(f, args...) }
func (s scriptTB) Errorf(f string, args ...any) { s.parent.Errorf(f, args...) }
func (s scriptTB) Skip(args ...any) {
	s.ts.Fatalf("%s (check the [haproxy] condition first)", fmt.Sprint(args...))
}
func (s scriptTB) Cleanup(f func())             { s.ts.Defer(f) }
func tb(ts *testscript.TestScript) lbctltest.TB { return scriptTB{ts: ts, parent: state(ts).parent} }

// cmdFreePort is `freeport NAME...`: each $NAME becomes a TCP port on
// 127.0.0.1 that was free a moment ago.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: freeport NAME...")
	}
	for _, name := range args {
		ts.Setenv(name, strconv.Itoa(lbctltest.FreePort(tb(ts))))
	}
}

// upperVar is what expand replaces: $NAME or ${NAME} with an upper-case
// name, so that HCL's own ${var.x} templates are left alone.
var upperVar = regexp.MustCompile(`\$(?:\{([A-Z][A-Z0-9_]*)\}|([A-Z][A-Z0-9_]*))`)

// cmdExpand is `expand FILE...`: replaces $NAME and ${NAME} (upper-case
// names only) in each file with the script's environment; an unset name
// fails, so a typo cannot leave an empty port in the HCL.
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expand FILE...")
	}
	for _, f := range args {
		path := ts.MkAbs(f)
		data, err := os.ReadFile(path)
		ts.Check(err)
		out := upperVar.ReplaceAllStringFunc(string(data), func(m string) string {
			sub := upperVar.FindStringSubmatch(m)
			name := sub[1] + sub[2]
			v := ts.Getenv(name)
			if v == "" {
				ts.Fatalf("expand %s: $%s is not set", f, name)
			}
			return v
		})
		ts.Check(os.WriteFile(path, []byte(out), 0o644))
	}
}

// cmdBackend is `backend NAME...`: starts an HTTP backend per name on a
// free port (lbctltest.StartBackend: it answers with its name) and sets
// $NAME to that port. Backends stop when the script ends.
func cmdBackend(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: backend NAME...")
	}
	for _, name := range args {
		b := lbctltest.StartBackend(tb(ts), strings.ToLower(name))
		ts.Setenv(name, strconv.Itoa(b.Port))
	}
}

// cmdHAProxy is the script's HAProxy:
//
//	haproxy start CFG SOCKET [PORT...]  validate CFG (haproxy -dW -c) and run
//	                                    it, waiting until SOCKET exists and
//	                                    every PORT accepts connections
//	haproxy stop                        kill it (by PID) and wait for its exit
//
// It runs in $WORK/haproxy-run and is killed when the script ends.
func cmdHAProxy(ts *testscript.TestScript, neg bool, args []string) {
	st := state(ts)
	switch {
	case !neg && len(args) >= 3 && args[0] == "start":
		if st.haproxy != nil && st.haproxy.Alive() {
			ts.Fatalf("haproxy start: already running (pid %d)", st.haproxy.PID)
		}
		cfg := ts.ReadFile(args[1])
		var ports []int
		for _, a := range args[3:] {
			p, err := strconv.Atoi(a)
			if err != nil {
				ts.Fatalf("haproxy start: port %q: %v", a, err)
			}
			ports = append(ports, p)
		}
		dir := ts.MkAbs("haproxy-run")
		ts.Check(os.MkdirAll(dir, 0o755))
		st.haproxy = lbctltest.HAProxy(tb(ts), dir, cfg, ports, ts.MkAbs(args[2]))
	case !neg && len(args) == 1 && args[0] == "stop":
		if st.haproxy == nil {
			ts.Fatalf("haproxy stop: not started")
		}
		ts.Check(st.haproxy.Stop())
	default:
		ts.Fatalf("usage: haproxy start CFG SOCKET [PORT...] | haproxy stop")
	}
}

// cmdHASock is `hasock SOCKET COMMAND...`: sends one command to HAProxy's
// runtime API (the words joined by spaces, as socat would) and prints the
// answer on stdout, so a script can make drift (`set weight be_web/a 5`,
// `set server be_web/b state maint`) and check that HAProxy accepted it
// (`! stdout .`: it answers nothing on success).
func cmdHASock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: hasock SOCKET COMMAND...")
	}
	c, err := net.DialTimeout("unix", ts.MkAbs(args[0]), systemsDeadline)
	ts.Check(err)
	defer c.Close()
	ts.Check(c.SetDeadline(time.Now().Add(systemsDeadline)))
	_, err = io.WriteString(c, strings.Join(args[1:], " ")+"\n")
	ts.Check(err)
	// Without "prompt" HAProxy answers one command and closes.
	out, err := io.ReadAll(c)
	ts.Check(err)
	// Stdout() starts an empty stdout even when HAProxy answers nothing, so
	// `! stdout .` checks this answer, not the previous command's output.
	w := ts.Stdout()
	if answer := strings.TrimSpace(string(out)); answer != "" {
		fmt.Fprintln(w, answer)
	}
}
