// Package reconcile compares the bank's statement with our ledger's.
package reconcile

import (
	"sort"

	"example.com/recon/internal/statement"
)

// Pair is a bank line and the ledger line it was matched with.
type Pair struct {
	Bank   statement.Line
	Ledger statement.Line
}

// Report is the outcome of a reconciliation.
type Report struct {
	Matched         []Pair
	AmountMismatch  []Pair
	MissingInLedger []statement.Line // on the bank statement only
	MissingInBank   []statement.Line // in the ledger only
}

// Balanced reports whether every line found its counterpart with the same amount.
func (r Report) Balanced() bool {
	return len(r.AmountMismatch) == 0 && len(r.MissingInLedger) == 0 && len(r.MissingInBank) == 0
}

// Reconcile matches the two statements: same ref, one to one in input order.
func Reconcile(bank, ledger []statement.Line) Report {
	byRef := map[string][]statement.Line{}
	for _, x := range ledger {
		byRef[x.Ref] = append(byRef[x.Ref], x)
	}
	var r Report
	for _, b := range stableByRef(bank) {
		queue := byRef[b.Ref]
		if len(queue) == 0 {
			r.MissingInLedger = append(r.MissingInLedger, b)
			continue
		}
		led := queue[0]
		byRef[b.Ref] = queue[1:]
		if led.AmountCents == b.AmountCents {
			r.Matched = append(r.Matched, Pair{b, led})
		} else {
			r.AmountMismatch = append(r.AmountMismatch, Pair{b, led})
		}
	}
	var rest []statement.Line
	for _, q := range byRef {
		rest = append(rest, q...)
	}
	// Lines left over keep their ledger order within a ref.
	r.MissingInBank = orderLike(rest, ledger)
	return r
}

func stableByRef(lines []statement.Line) []statement.Line {
	out := append([]statement.Line(nil), lines...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out
}

// orderLike returns subset in the order its lines have in all, sorted stably by ref.
func orderLike(subset, all []statement.Line) []statement.Line {
	left := map[string]int{}
	for _, x := range subset {
		left[x.Ref]++
	}
	total := map[string]int{}
	for _, x := range all {
		total[x.Ref]++
	}
	var out []statement.Line
	seen := map[string]int{}
	for _, x := range all {
		seen[x.Ref]++
		// The leftovers of a ref are its last lines.
		if seen[x.Ref] > total[x.Ref]-left[x.Ref] {
			out = append(out, x)
		}
	}
	return stableByRef(out)
}
