// Package payments stores card payments in PostgreSQL (database/sql with lib/pq). The schema
// lives in migrations/ as golang-migrate files (NNNN_name.up.sql / NNNN_name.down.sql).
package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var (
	ErrNotFound = errors.New("payment not found")
	// ErrAlreadySettled means the payment settled before: its first settlement time stays.
	ErrAlreadySettled = errors.New("payment already settled")
)

// Payment is a row of the payments table; Amount is in cents.
type Payment struct {
	ID        int64
	Merchant  string
	Amount    int64
	Currency  string
	CreatedAt time.Time
	// SettledAt is when the acquirer settled the payment; nil until then.
	SettledAt *time.Time
}

// Repository reads and writes payments.
type Repository struct{ db *sql.DB }

func NewRepository(db *sql.DB) *Repository { return &Repository{db: db} }

// Create stores a new payment and returns its id.
func (r *Repository) Create(ctx context.Context, p Payment) (int64, error) {
	var id int64
	err := r.db.QueryRowContext(ctx,
		`INSERT INTO payments (merchant, amount, currency) VALUES ($1, $2, $3) RETURNING id`,
		p.Merchant, p.Amount, p.Currency).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create payment: %w", err)
	}
	return id, nil
}

const columns = `id, merchant, amount, currency, created_at, settled_at`

type scanner interface{ Scan(dest ...any) error }

func scan(row scanner) (Payment, error) {
	var p Payment
	var settled sql.NullTime
	if err := row.Scan(&p.ID, &p.Merchant, &p.Amount, &p.Currency, &p.CreatedAt, &settled); err != nil {
		return Payment{}, err
	}
	if settled.Valid {
		p.SettledAt = &settled.Time
	}
	return p, nil
}

// Get reads a payment by id.
func (r *Repository) Get(ctx context.Context, id int64) (Payment, error) {
	p, err := scan(r.db.QueryRowContext(ctx, `SELECT `+columns+` FROM payments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Payment{}, ErrNotFound
	}
	if err != nil {
		return Payment{}, fmt.Errorf("get payment %d: %w", id, err)
	}
	return p, nil
}

// MarkSettled records when a payment settled. A payment settles once: a second call is
// ErrAlreadySettled and keeps the first time.
func (r *Repository) MarkSettled(ctx context.Context, id int64, at time.Time) error {
	res, err := r.db.ExecContext(ctx,
		`UPDATE payments SET settled_at = $1 WHERE id = $2 AND settled_at IS NULL`, at, id)
	if err != nil {
		return fmt.Errorf("settle payment %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("settle payment %d: %w", id, err)
	} else if n == 1 {
		return nil
	}
	var exists bool
	if err := r.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM payments WHERE id = $1)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("settle payment %d: %w", id, err)
	}
	if !exists {
		return ErrNotFound
	}
	return fmt.Errorf("settle payment %d: %w", id, ErrAlreadySettled)
}

// ListUnsettled returns the payments created before olderThan that have not settled, oldest first.
func (r *Repository) ListUnsettled(ctx context.Context, olderThan time.Time) ([]Payment, error) {
	rows, err := r.db.QueryContext(ctx,
		`SELECT `+columns+` FROM payments WHERE settled_at IS NULL AND created_at < $1 ORDER BY created_at, id`,
		olderThan)
	if err != nil {
		return nil, fmt.Errorf("list unsettled payments: %w", err)
	}
	defer rows.Close()
	var out []Payment
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list unsettled payments: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list unsettled payments: %w", err)
	}
	return out, nil
}
