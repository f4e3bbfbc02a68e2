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

// Reconcile matches the two statements on ref.
func Reconcile(bank, ledger []statement.Line) Report {
	byRef := map[string]statement.Line{}
	for _, x := range ledger {
		byRef[x.Ref] = x
	}
	used := map[string]bool{}
	var r Report
	for _, b := range stableByRef(bank) {
		led, ok := byRef[b.Ref]
		switch {
		case !ok || used[b.Ref]:
			r.MissingInLedger = append(r.MissingInLedger, b)
		case led.AmountCents == b.AmountCents:
			r.Matched = append(r.Matched, Pair{b, led})
		default:
			r.AmountMismatch = append(r.AmountMismatch, Pair{b, led})
		}
		used[b.Ref] = true
	}
	for _, x := range stableByRef(ledger) {
		if !used[x.Ref] {
			r.MissingInBank = append(r.MissingInBank, x)
		}
	}
	return r
}

func stableByRef(lines []statement.Line) []statement.Line {
	out := append([]statement.Line(nil), lines...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out
}
