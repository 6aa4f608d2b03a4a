package kube

import (
	"slices"
	"strings"

	"github.com/nbac/nbac/emit/plan"
)

// PruneNote marks a prune candidate in the plan.
const PruneNote = "prune candidate: nbac apply -prune deletes it"

// Changes turns p into emit/plan's change format: one entry per manifest
// with the objects that differ, then one entry for the prune candidates.
func (p *Plan) Changes() []plan.FileChange {
	var out []plan.FileChange
	byPath := map[string]int{}
	for _, op := range p.Objects {
		if op.Action == "" {
			continue
		}
		i, ok := byPath[op.Path]
		if !ok {
			i = len(out)
			byPath[op.Path] = i
			out = append(out, plan.FileChange{Path: op.Path, Action: plan.Change, Origin: op.Origin, Range: op.Range})
		}
		oc := plan.ObjectChange{Kind: op.GetKind(), Namespace: op.GetNamespace(), Name: op.GetName(), Action: op.Action, Fields: op.Fields}
		var notes []string
		switch op.Adopt {
		case "":
		case "-":
			notes = append(notes, "adopt: exists on the cluster but nbac did not apply it; apply takes it over")
		default:
			notes = append(notes, "adopt: belongs to another ApplySet ("+op.Adopt+"); apply moves it into this project's")
		}
		if op.Drift > 0 {
			notes = append(notes, "drift: changed on the cluster by another field manager")
		}
		oc.Note = strings.Join(notes, "; ")
		out[i].Objects = append(out[i].Objects, oc)
	}
	for i := range out {
		// A manifest whose objects are all new is added, as in a file plan.
		if !slices.ContainsFunc(out[i].Objects, func(o plan.ObjectChange) bool { return o.Action != plan.Add }) {
			out[i].Action = plan.Add
		}
	}
	if len(p.Prune) > 0 {
		fc := plan.FileChange{Path: "kubernetes (prune candidates)", Action: plan.Remove, Origin: "ApplySet " + p.Set.String()}
		for _, m := range p.Prune {
			fc.Objects = append(fc.Objects, plan.ObjectChange{Kind: m.Kind, Namespace: m.Namespace, Name: m.Name, Action: plan.Remove,
				Note: PruneNote})
		}
		out = append(out, fc)
	}
	return out
}
