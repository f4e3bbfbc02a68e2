// Package wallets keeps customer wallets (balances in integer cents) in PostgreSQL.
package wallets

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	ErrNotFound           = errors.New("wallet not found")
	ErrInvalidAmount      = errors.New("amount must be positive")
	ErrSameWallet         = errors.New("cannot transfer to the same wallet")
	ErrCurrencyMismatch   = errors.New("wallets hold different currencies")
	ErrInsufficientFunds  = errors.New("insufficient funds")
	ErrDuplicateReference = errors.New("transfer reference already used")
)

// TransferRequest moves Amount cents from one wallet to another. Reference is the payment
// system's id for the transfer: a retried request carries the same one.
type TransferRequest struct {
	Reference string
	From, To  int64
	Amount    int64
}

// Store reads and writes wallets.
type Store struct{ pool *pgxpool.Pool }

func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Open creates a wallet with an opening balance.
func (s *Store) Open(ctx context.Context, id int64, owner, currency string, balance int64) error {
	_, err := s.pool.Exec(ctx,
		`INSERT INTO wallets (id, owner, currency, balance) VALUES ($1, $2, $3, $4)`,
		id, owner, currency, balance)
	if err != nil {
		return fmt.Errorf("open wallet %d: %w", id, err)
	}
	return nil
}

// Balance returns a wallet's balance in cents.
func (s *Store) Balance(ctx context.Context, id int64) (int64, error) {
	var balance int64
	err := s.pool.QueryRow(ctx, `SELECT balance FROM wallets WHERE id = $1`, id).Scan(&balance)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("balance of wallet %d: %w", id, err)
	}
	return balance, nil
}

// Transfer moves money between two wallets and records the transfer; it returns the
// transfer's id.
func (s *Store) Transfer(ctx context.Context, req TransferRequest) (int64, error) {
	return 0, errors.New("not implemented")
}
