// Package orders holds the shop's orders and the queries the back office runs on them.
package orders

import (
	"sort"
	"sync"
	"time"
)

// Order is one customer order; amounts are integer cents.
type Order struct {
	ID         string
	CustomerID string
	TotalCents int64
	Currency   string
	Status     string // "open", "paid", "refunded"
	CreatedAt  time.Time
}

// Store keeps orders in memory.
type Store struct {
	mu     sync.RWMutex
	orders map[string]Order
}

func NewStore() *Store { return &Store{orders: map[string]Order{}} }

func (s *Store) Put(o Order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = o
}

// Between returns the orders created in [from, to), oldest first.
func (s *Store) Between(from, to time.Time) []Order {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Order
	for _, o := range s.orders {
		if !o.CreatedAt.Before(from) && o.CreatedAt.Before(to) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}
