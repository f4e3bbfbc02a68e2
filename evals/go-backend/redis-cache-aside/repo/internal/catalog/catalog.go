// Package catalog is the source of truth for products (the database, in production).
package catalog

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNotFound is returned for an unknown product.
var ErrNotFound = errors.New("product not found")

// Product is what the catalogue returns; prices are integer cents.
type Product struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

// DB is a slow in-memory stand-in for the database that counts its queries.
type DB struct {
	mu       sync.Mutex
	products map[string]Product
	Latency  time.Duration
	Queries  atomic.Int64
}

func NewDB(products ...Product) *DB {
	db := &DB{products: map[string]Product{}}
	for _, p := range products {
		db.products[p.ID] = p
	}
	return db
}

// Load reads one product.
func (db *DB) Load(ctx context.Context, id string) (Product, error) {
	db.Queries.Add(1)
	select {
	case <-time.After(db.Latency):
	case <-ctx.Done():
		return Product{}, ctx.Err()
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	p, ok := db.products[id]
	if !ok {
		return Product{}, ErrNotFound
	}
	return p, nil
}

// Put changes a product.
func (db *DB) Put(p Product) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.products[p.ID] = p
}
