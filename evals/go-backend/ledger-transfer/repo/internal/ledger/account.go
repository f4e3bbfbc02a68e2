// Package ledger keeps accounts and the double-entry journal that moves money between them.
package ledger

import (
	"errors"

	"example.com/ledger/internal/money"
)

// Errors a caller can act on; wrap them with context, compare with errors.Is.
var (
	ErrUnknownAccount    = errors.New("unknown account")
	ErrInvalidAmount     = errors.New("amount must be positive")
	ErrSameAccount       = errors.New("cannot transfer to the same account")
	ErrCurrencyMismatch  = errors.New("accounts hold different currencies")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrDuplicateTransfer = errors.New("transfer reference already used")
)

// Account holds a balance in one currency's minor units.
type Account struct {
	ID       string
	Currency string
	Balance  money.Cents
}

// Entry is one leg of a transfer: a debit is negative, a credit positive.
type Entry struct {
	Ref     string
	Account string
	Amount  money.Cents
}
