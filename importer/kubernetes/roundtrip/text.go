package roundtrip

import (
	"fmt"
	"io"
)

// WriteText prints the comparison for people: per object, each
// difference with its class and reason, then the totals.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintln(w, "Round trip: each original object against the object nbac builds from the imported HCL.")
	for _, p := range r.Pairs {
		fmt.Fprintf(w, "\n%s (%s) -> %s: %s\n", p.Original, p.Source, orNone(p.Nbac), summary(p.Diffs))
		for _, d := range p.Diffs {
			fmt.Fprintf(w, "  %-10s %s: %s -> %s (%s)\n", d.Class, d.Path, orAbsent(d.Original), orAbsent(d.Nbac), d.Reason)
		}
	}
	if len(r.Added) > 0 {
		fmt.Fprintln(w, "\nAdded by nbac:")
		for _, d := range r.Added {
			fmt.Fprintf(w, "  %-10s %s (%s)\n", d.Class, d.Path, d.Reason)
		}
	}
	if len(r.NotImported) > 0 {
		fmt.Fprintln(w, "\nNot imported (reported above), so not compared:")
		for _, n := range r.NotImported {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	c := r.Counts
	fmt.Fprintf(w, "\nRound trip: %d objects compared; differences: %d expected, %d reported at import, %d unexpected.\n",
		c.Compared, c.Expected, c.Reported, c.Unexpected)
}

func summary(ds []Diff) string {
	if len(ds) == 0 {
		return "identical"
	}
	n := 0
	for _, d := range ds {
		if d.Class == Unexpected {
			n++
		}
	}
	if n == 0 {
		return fmt.Sprintf("%d differences, all accounted for", len(ds))
	}
	return fmt.Sprintf("%d differences, %d unexpected", len(ds), n)
}

func orNone(s string) string {
	if s == "" {
		return "(nothing)"
	}
	return s
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}
