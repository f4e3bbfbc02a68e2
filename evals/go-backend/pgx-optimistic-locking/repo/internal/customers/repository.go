// Package customers stores customers in PostgreSQL through pgx.
package customers

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	ErrNotFound = errors.New("customer not found")
	// ErrConflict means the customer changed since it was read: re-read and retry.
	ErrConflict = errors.New("customer was modified concurrently")
)

// Customer is a row of the customers table; Version counts its updates.
type Customer struct {
	ID      int64
	Email   string
	Name    string
	Version int32
}

// DB is what the repository needs of a pgxpool.Pool (and of pgxmock in tests).
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Repository reads and writes customers.
type Repository struct{ db DB }

func NewRepository(db DB) *Repository { return &Repository{db: db} }

// Get reads a customer by id.
func (r *Repository) Get(ctx context.Context, id int64) (Customer, error) {
	var c Customer
	err := r.db.QueryRow(ctx, `SELECT id, email, name, version FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.Email, &c.Name, &c.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return Customer{}, ErrNotFound
	}
	if err != nil {
		return Customer{}, fmt.Errorf("get customer %d: %w", id, err)
	}
	return c, nil
}

// Update writes c's email and name.
func (r *Repository) Update(ctx context.Context, c Customer) (Customer, error) {
	_, err := r.db.Exec(ctx, `UPDATE customers SET email = $1, name = $2 WHERE id = $3`, c.Email, c.Name, c.ID)
	if err != nil {
		return Customer{}, fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	return c, nil
}
