// Package reconcile compares the bank's statement with our ledger's.
package reconcile

import "example.com/recon/internal/statement"

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

// Reconcile matches the two statements.
func Reconcile(bank, ledger []statement.Line) Report {
	return Report{}
}
