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
// It writes a debit on from and a credit on to under ref; a refused transfer changes nothing.
func (l *Ledger) Transfer(ref, from, to string, amount money.Cents) error {
	if amount <= 0 {
		return fmt.Errorf("transfer %s: %w", ref, ErrInvalidAmount)
	}
	if from == to {
		return fmt.Errorf("transfer %s: %w", ref, ErrSameAccount)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refs[ref] {
		return fmt.Errorf("transfer %s: %w", ref, ErrDuplicateTransfer)
	}
	src, ok := l.accounts[from]
	if !ok {
		return fmt.Errorf("transfer %s: from %s: %w", ref, from, ErrUnknownAccount)
	}
	dst, ok := l.accounts[to]
	if !ok {
		return fmt.Errorf("transfer %s: to %s: %w", ref, to, ErrUnknownAccount)
	}
	if src.Currency != dst.Currency {
		return fmt.Errorf("transfer %s: %s vs %s: %w", ref, src.Currency, dst.Currency, ErrCurrencyMismatch)
	}
	if src.Balance < amount {
		return fmt.Errorf("transfer %s: %s has %s: %w", ref, from, src.Balance, ErrInsufficientFunds)
	}
	src.Balance -= amount
	dst.Balance += amount
	l.journal = append(l.journal, Entry{Ref: ref, Account: from, Amount: -amount}, Entry{Ref: ref, Account: to, Amount: amount})
	l.refs[ref] = true
	return nil
}
