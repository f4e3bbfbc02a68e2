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
	// ErrEmailTaken means another customer has the email.
	ErrEmailTaken = errors.New("email already taken")
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

// Update writes c's email and name if the row still has c.Version, and returns the customer
// with its new version. ErrConflict: someone updated it since c was read.
func (r *Repository) Update(ctx context.Context, c Customer) (Customer, error) {
	tag, err := r.db.Exec(ctx,
		`UPDATE customers SET email = $1, name = $2, version = version + 1, updated_at = now()
		 WHERE id = $3 AND version = $4`,
		c.Email, c.Name, c.ID, c.Version)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return Customer{}, fmt.Errorf("update customer %d: %w", c.ID, ErrEmailTaken)
	}
	if err != nil {
		return Customer{}, fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return Customer{}, fmt.Errorf("update customer %d at version %d: %w", c.ID, c.Version, ErrConflict)
	}
	c.Version++
	return c, nil
}
