package reconcile

import (
	"reflect"
	"testing"

	"example.com/recon/internal/statement"
)

func l(ref string, cents int64) statement.Line { return statement.Line{Ref: ref, AmountCents: cents} }

func refs(lines []statement.Line) []string {
	out := []string{}
	for _, x := range lines {
		out = append(out, x.Ref)
	}
	return out
}

func pairRefs(ps []Pair) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Bank.Ref)
	}
	return out
}

func TestHiddenMatchesMismatchesAndMissing(t *testing.T) {
	bank := []statement.Line{l("C", 300), l("A", 100), l("B", 200), l("X", 5)}
	ledger := []statement.Line{l("A", 100), l("B", 250), l("C", 300), l("Y", 7)}
	r := Reconcile(bank, ledger)
	if got := pairRefs(r.Matched); !reflect.DeepEqual(got, []string{"A", "C"}) {
		t.Errorf("Matched = %v, want [A C]", got)
	}
	if len(r.AmountMismatch) != 1 || r.AmountMismatch[0].Bank.AmountCents != 200 || r.AmountMismatch[0].Ledger.AmountCents != 250 {
		t.Errorf("AmountMismatch = %+v, want B 200 vs 250", r.AmountMismatch)
	}
	if got := refs(r.MissingInLedger); !reflect.DeepEqual(got, []string{"X"}) {
		t.Errorf("MissingInLedger = %v, want [X]", got)
	}
	if got := refs(r.MissingInBank); !reflect.DeepEqual(got, []string{"Y"}) {
		t.Errorf("MissingInBank = %v, want [Y]", got)
	}
	if r.Balanced() {
		t.Error("Balanced() = true for an unbalanced report")
	}
}

func TestHiddenDuplicateRefsMatchOneToOne(t *testing.T) {
	bank := []statement.Line{l("S", 500), l("S", 700), l("S", 900)}
	ledger := []statement.Line{l("S", 500), l("S", 700)}
	r := Reconcile(bank, ledger)
	if len(r.Matched) != 2 || r.Matched[0].Bank.AmountCents != 500 || r.Matched[1].Bank.AmountCents != 700 {
		t.Fatalf("Matched = %+v, want the 500 and 700 lines in order", r.Matched)
	}
	if len(r.MissingInLedger) != 1 || r.MissingInLedger[0].AmountCents != 900 {
		t.Fatalf("MissingInLedger = %+v, want the 900 line", r.MissingInLedger)
	}
	if len(r.MissingInBank) != 0 || len(r.AmountMismatch) != 0 {
		t.Fatalf("unexpected %+v", r)
	}
}

func TestHiddenBalanced(t *testing.T) {
	r := Reconcile([]statement.Line{l("A", 1), l("B", 2)}, []statement.Line{l("B", 2), l("A", 1)})
	if !r.Balanced() || len(r.Matched) != 2 {
		t.Fatalf("report %+v should be balanced with 2 matches", r)
	}
	if e := Reconcile(nil, nil); !e.Balanced() || len(e.Matched) != 0 {
		t.Fatalf("empty inputs: %+v", e)
	}
}
