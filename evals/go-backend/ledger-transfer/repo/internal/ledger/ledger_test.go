package ledger

import (
	"errors"
	"testing"
)

func TestOpenAndBalance(t *testing.T) {
	l := New()
	if err := l.Open("alice", "EUR", 1000); err != nil {
		t.Fatal(err)
	}
	if err := l.Open("alice", "EUR", 1); err == nil {
		t.Fatal("opening an account twice succeeded")
	}
	got, err := l.Balance("alice")
	if err != nil || got != 1000 {
		t.Fatalf("Balance = %v, %v; want 1000", got, err)
	}
	if _, err := l.Balance("nobody"); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("Balance(nobody) err = %v", err)
	}
}
