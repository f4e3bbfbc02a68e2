// Package orders places orders against the stock it keeps.
package orders

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

var (
	ErrUnknownSKU = errors.New("unknown sku")
	ErrOutOfStock = errors.New("out of stock")
	ErrNotFound   = errors.New("order not found")
)

// Order is a placed order.
type Order struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Email    string `json:"email"`
}

// Service keeps stock and orders in memory; safe for concurrent use.
type Service struct {
	mu     sync.Mutex
	next   int
	stock  map[string]int
	orders map[string]Order
	// Fail, when set, is returned by Place (tests use it for infrastructure errors).
	Fail error
}

func NewService(stock map[string]int) *Service {
	return &Service{stock: stock, orders: map[string]Order{}}
}

// Place reserves the stock and records the order.
func (s *Service) Place(_ context.Context, sku string, qty int, email string) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Fail != nil {
		return Order{}, s.Fail
	}
	left, ok := s.stock[sku]
	if !ok {
		return Order{}, fmt.Errorf("place %s: %w", sku, ErrUnknownSKU)
	}
	if left < qty {
		return Order{}, fmt.Errorf("place %s: %d left: %w", sku, left, ErrOutOfStock)
	}
	s.stock[sku] = left - qty
	s.next++
	o := Order{ID: fmt.Sprintf("ord-%d", s.next), SKU: sku, Quantity: qty, Email: email}
	s.orders[o.ID] = o
	return o, nil
}

// Get returns an order by id.
func (s *Service) Get(_ context.Context, id string) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, ErrNotFound
	}
	return o, nil
}
