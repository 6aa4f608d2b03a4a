package lang

import (
	"sort"

	"github.com/agext/levenshtein"
)

// suggest returns the candidate closest to given when it is close enough to
// be a plausible typo (edit distance below 3, the threshold HCL itself uses
// for attribute names), or "".
func suggest(given string, candidates []string) string {
	best, bestDist := "", 3
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted) // ties resolve the same way every run
	for _, c := range sorted {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// didYouMean formats a suggestion as a sentence to append to a detail, or
// returns "" when there is none.
func didYouMean(given string, candidates []string) string {
	if s := suggest(given, candidates); s != "" {
		return " Did you mean " + quote(s) + "?"
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }
