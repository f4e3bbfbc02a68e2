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

var ErrNotFound = errors.New("payment not found")

// Payment is a row of the payments table; Amount is in cents.
type Payment struct {
	ID        int64
	Merchant  string
	Amount    int64
	Currency  string
	CreatedAt time.Time
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

// Get reads a payment by id.
func (r *Repository) Get(ctx context.Context, id int64) (Payment, error) {
	var p Payment
	err := r.db.QueryRowContext(ctx,
		`SELECT id, merchant, amount, currency, created_at FROM payments WHERE id = $1`, id).
		Scan(&p.ID, &p.Merchant, &p.Amount, &p.Currency, &p.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Payment{}, ErrNotFound
	}
	if err != nil {
		return Payment{}, fmt.Errorf("get payment %d: %w", id, err)
	}
	return p, nil
}
