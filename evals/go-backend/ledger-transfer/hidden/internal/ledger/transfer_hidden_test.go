package ledger

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"example.com/ledger/internal/money"
)

func hiddenLedger(t *testing.T) *Ledger {
	t.Helper()
	l := New()
	for _, a := range []struct {
		id, cur string
		bal     money.Cents
	}{{"alice", "EUR", 10_00}, {"bob", "EUR", 0}, {"carol", "USD", 5_00}} {
		if err := l.Open(a.id, a.cur, a.bal); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func balance(t *testing.T, l *Ledger, id string) money.Cents {
	t.Helper()
	b, err := l.Balance(id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHiddenTransferWritesBalancedEntries(t *testing.T) {
	l := hiddenLedger(t)
	if err := l.Transfer("t1", "alice", "bob", 2_50); err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	if a, b := balance(t, l, "alice"), balance(t, l, "bob"); a != 7_50 || b != 2_50 {
		t.Fatalf("balances alice=%v bob=%v, want 7.50 and 2.50", a, b)
	}
	j := l.Journal()
	if len(j) != 2 {
		t.Fatalf("journal has %d entries, want 2: %+v", len(j), j)
	}
	var sum money.Cents
	seen := map[string]money.Cents{}
	for _, e := range j {
		if e.Ref != "t1" {
			t.Errorf("entry ref %q, want t1", e.Ref)
		}
		sum += e.Amount
		seen[e.Account] = e.Amount
	}
	if sum != 0 || seen["alice"] != -2_50 || seen["bob"] != 2_50 {
		t.Fatalf("entries %+v: want alice -2.50, bob +2.50, sum 0", j)
	}
}

func TestHiddenOverdraftRefused(t *testing.T) {
	l := hiddenLedger(t)
	err := l.Transfer("t1", "alice", "bob", 10_01)
	if !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("err = %v, want ErrInsufficientFunds", err)
	}
	if err := l.Transfer("t2", "alice", "bob", 10_00); err != nil {
		t.Fatalf("transferring the whole balance: %v", err)
	}
}

func TestHiddenRefusalsChangeNothing(t *testing.T) {
	cases := []struct {
		name          string
		ref, from, to string
		amount        money.Cents
		want          error
	}{
		{"zero", "r1", "alice", "bob", 0, ErrInvalidAmount},
		{"negative", "r2", "alice", "bob", -5, ErrInvalidAmount},
		{"unknown from", "r3", "zed", "bob", 1, ErrUnknownAccount},
		{"unknown to", "r4", "alice", "zed", 1, ErrUnknownAccount},
		{"same account", "r5", "alice", "alice", 1, ErrSameAccount},
		{"currency", "r6", "alice", "carol", 1, ErrCurrencyMismatch},
		{"overdraft", "r7", "bob", "alice", 1, ErrInsufficientFunds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := hiddenLedger(t)
			err := l.Transfer(c.ref, c.from, c.to, c.amount)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if len(l.Journal()) != 0 {
				t.Fatalf("a refused transfer wrote entries: %+v", l.Journal())
			}
			if a, b := balance(t, l, "alice"), balance(t, l, "bob"); a != 10_00 || b != 0 {
				t.Fatalf("a refused transfer moved money: alice=%v bob=%v", a, b)
			}
		})
	}
}

func TestHiddenDuplicateReference(t *testing.T) {
	l := hiddenLedger(t)
	if err := l.Transfer("once", "alice", "bob", 1_00); err != nil {
		t.Fatal(err)
	}
	if err := l.Transfer("once", "alice", "bob", 1_00); !errors.Is(err, ErrDuplicateTransfer) {
		t.Fatalf("second transfer with the same ref: err = %v, want ErrDuplicateTransfer", err)
	}
	if b := balance(t, l, "bob"); b != 1_00 {
		t.Fatalf("bob = %v after a duplicate, want 1.00", b)
	}
	// A refused transfer does not use up its reference.
	if err := l.Transfer("later", "bob", "alice", 5_00); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("err = %v", err)
	}
	if err := l.Transfer("later", "bob", "alice", 50); err != nil {
		t.Fatalf("reusing the ref of a refused transfer: %v", err)
	}
}

func TestHiddenConcurrentTransfersConserveMoney(t *testing.T) {
	l := New()
	_ = l.Open("a", "EUR", 1_00)
	_ = l.Open("b", "EUR", 1_00)
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			from, to := "a", "b"
			if i%2 == 1 {
				from, to = to, from
			}
			_ = l.Transfer(fmt.Sprintf("c%d", i), from, to, 7)
		}(i)
	}
	wg.Wait()
	a, b := balance(t, l, "a"), balance(t, l, "b")
	if a+b != 2_00 || a < 0 || b < 0 {
		t.Fatalf("after concurrent transfers a=%v b=%v: want non-negative, summing to 2.00", a, b)
	}
	var sum money.Cents
	for _, e := range l.Journal() {
		sum += e.Amount
	}
	if sum != 0 {
		t.Fatalf("journal sums to %v, want 0", sum)
	}
}
