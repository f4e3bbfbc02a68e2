package ledger

import (
	"fmt"
	"sync"

	"example.com/ledger/internal/money"
)

// Ledger is an in-memory ledger, safe for concurrent use.
type Ledger struct {
	mu       sync.Mutex
	accounts map[string]*Account
	journal  []Entry
	refs     map[string]bool
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{accounts: map[string]*Account{}, refs: map[string]bool{}}
}

// Open creates an account with an opening balance.
func (l *Ledger) Open(id, currency string, opening money.Cents) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.accounts[id]; ok {
		return fmt.Errorf("open %s: account exists", id)
	}
	l.accounts[id] = &Account{ID: id, Currency: currency, Balance: opening}
	return nil
}

// Balance returns the account's balance.
func (l *Ledger) Balance(id string) (money.Cents, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[id]
	if !ok {
		return 0, fmt.Errorf("balance %s: %w", id, ErrUnknownAccount)
	}
	return a.Balance, nil
}

// Journal returns a copy of every entry written so far, in order.
func (l *Ledger) Journal() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Entry(nil), l.journal...)
}

// Transfer moves amount from one account to another.
func (l *Ledger) Transfer(ref, from, to string, amount money.Cents) error {
	return fmt.Errorf("transfer %s: not implemented", ref)
}
