// Package wallets keeps customer wallets (balances in integer cents) in PostgreSQL.
package wallets

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// Transfer moves money between two wallets and records the transfer, in one transaction:
// a refused or failed transfer changes nothing. It returns the transfer's id.
func (s *Store) Transfer(ctx context.Context, req TransferRequest) (int64, error) {
	if req.Amount <= 0 {
		return 0, ErrInvalidAmount
	}
	if req.From == req.To {
		return 0, ErrSameWallet
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Both rows locked in id order: two opposite transfers never wait on each other.
		rows, err := tx.Query(ctx,
			`SELECT id, currency, balance FROM wallets WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
			[]int64{req.From, req.To})
		if err != nil {
			return fmt.Errorf("lock wallets: %w", err)
		}
		type wallet struct {
			currency string
			balance  int64
		}
		found := map[int64]wallet{}
		for rows.Next() {
			var (
				wid int64
				w   wallet
			)
			if err := rows.Scan(&wid, &w.currency, &w.balance); err != nil {
				rows.Close()
				return fmt.Errorf("lock wallets: %w", err)
			}
			found[wid] = w
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock wallets: %w", err)
		}
		from, ok := found[req.From]
		if !ok {
			return fmt.Errorf("wallet %d: %w", req.From, ErrNotFound)
		}
		to, ok := found[req.To]
		if !ok {
			return fmt.Errorf("wallet %d: %w", req.To, ErrNotFound)
		}
		if from.currency != to.currency {
			return ErrCurrencyMismatch
		}
		if from.balance < req.Amount {
			return ErrInsufficientFunds
		}
		if _, err := tx.Exec(ctx, `UPDATE wallets SET balance = balance - $1 WHERE id = $2`, req.Amount, req.From); err != nil {
			return fmt.Errorf("debit wallet %d: %w", req.From, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE wallets SET balance = balance + $1 WHERE id = $2`, req.Amount, req.To); err != nil {
			return fmt.Errorf("credit wallet %d: %w", req.To, err)
		}
		err = tx.QueryRow(ctx,
			`INSERT INTO transfers (reference, from_id, to_id, amount) VALUES ($1, $2, $3, $4) RETURNING id`,
			req.Reference, req.From, req.To, req.Amount).Scan(&id)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return fmt.Errorf("%q: %w", req.Reference, ErrDuplicateReference)
		}
		if err != nil {
			return fmt.Errorf("record transfer: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("transfer %q: %w", req.Reference, err)
	}
	return id, nil
}
