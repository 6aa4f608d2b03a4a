package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/live/kube"
)

func init() {
	register(command{name: "apply", summary: "Apply the configuration to the cluster and the running HAProxy", run: runApply})
}

// applyStdin is where apply reads the approval; tests replace it.
var applyStdin io.Reader = os.Stdin

func runApply(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("apply", "PATH [options]",
		"Compiles the configuration at PATH, prints the plan against the running systems\n(as `nbac plan -live`), asks, then makes them match: Kubernetes objects by\nserver-side apply (field manager nbac, namespaces created, dependency order,\nApplySet ownership), HAProxy as `nbac lb sync` does, missing broker queues,\nstreams and topics declared (a conflicting one is reported, never changed).\nObjects nbac applied that the source no longer has are deleted only with\n-prune. See docs/live.md.",
		"nbac apply infra -context staging -auto-approve -prune",
		stderr)
	var cc compileCommand
	var lf liveFlags
	var autoApprove, prune bool
	fs.BoolVar(&autoApprove, "auto-approve", false, "apply without asking")
	fs.BoolVar(&prune, "prune", false, "delete the objects nbac applied that the source no longer has")
	lf.register(fs)
	if code, ok := cc.parse(fs, args); !ok {
		return code
	}
	if cc.format == formatJSON {
		return usageError(fs, "apply prints for people; use `nbac plan -live -json` for a document")
	}
	rep := cc.out.reporter(cc.format, stdout, stderr)
	fail := func(c compiled, summary string, err error) int {
		rep.diagnostics(c.files, c.diags.Append(errorDiag(summary, err, "")))
		return exitError
	}
	c := compile(cc.path, cc.in)
	if c.diags.HasErrors() {
		rep.diagnostics(c.files, c.diags)
		return exitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, st, err := planLive(ctx, c, lf)
	if err != nil {
		return fail(c, "Cannot compare with the running systems", err)
	}
	rep.diagnostics(c.files, c.diags)
	color := useColor(stdout, cc.out.noColor)
	if err := p.WriteText(stdout, color); err != nil {
		return exitError
	}
	candidates := 0
	if st.kubePlan != nil {
		candidates = len(st.kubePlan.Prune)
	}
	// Prune candidates count as removals in the plan; without -prune they
	// are left, so they alone are nothing to do.
	if p.Empty() || (!prune && onlyPruneCandidates(p)) {
		fmt.Fprintln(stdout, "Nothing to apply.")
		return exitOK
	}
	if !autoApprove {
		fmt.Fprint(stdout, "\nApply these changes? Only 'yes' is accepted: ")
		answer, _ := bufio.NewReader(applyStdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			fmt.Fprintln(stdout, "\nApply cancelled: nothing changed.")
			return exitError
		}
		fmt.Fprintln(stdout)
	}
	if st.kubePlan != nil {
		done, err := st.kube.Apply(ctx, st.kubePlan, prune)
		if done != nil {
			for _, ns := range done.Namespaces {
				fmt.Fprintln(stdout, "created namespace", ns)
			}
			fmt.Fprintf(stdout, "applied %d Kubernetes object(s) (field manager nbac, %s)\n", len(done.Objects), st.kubePlan.Set)
			for _, o := range done.Pruned {
				fmt.Fprintln(stdout, "pruned", o)
			}
		}
		if err != nil {
			return fail(c, "Apply to Kubernetes failed", err)
		}
		if !prune && candidates > 0 {
			fmt.Fprintf(stdout, "%d prune candidate(s) left in place: `nbac apply -prune` deletes them.\n", candidates)
		}
	}
	if st.lb != nil {
		done, err := st.lb.Apply(ctx)
		for _, a := range done {
			fmt.Fprintln(stdout, "haproxy", a)
		}
		if err != nil {
			return fail(c, "Apply to HAProxy failed", err)
		}
	}
	if st.brokers != nil {
		done, err := st.brokers.Apply(ctx)
		for _, o := range done {
			fmt.Fprintf(stdout, "declared %s %s/%s\n", o.Kind, o.Broker.Name, o.Name)
		}
		if err != nil {
			return fail(c, "Apply to the brokers failed", err)
		}
		if err := st.brokers.ConflictError(); err != nil {
			return fail(c, "Broker queues, streams or topics conflict with the model", err)
		}
	}
	if st.kubeLeftOut > 0 {
		// Said again at the end, so a log read from the bottom does not
		// take a partial apply for a whole one.
		fmt.Fprintf(stdout, "Apply complete, except %d Kubernetes object(s) left out: no kubeconfig (-kubeconfig, $KUBECONFIG, ~/.kube/config).\n", st.kubeLeftOut)
		return exitOK
	}
	fmt.Fprintln(stdout, "Apply complete.")
	return exitOK
}

// onlyPruneCandidates reports whether everything a live plan lists is a
// prune candidate, which apply leaves alone without -prune.
func onlyPruneCandidates(p *plan.Plan) bool {
	for _, c := range p.Changes {
		for _, o := range c.Objects {
			if o.Action != plan.Remove || !strings.HasPrefix(o.Note, kube.PruneNote) {
				return false
			}
		}
		if len(c.Objects) == 0 {
			return false
		}
	}
	return true
}
