// Package payments applies "payment captured" events to invoices.
package payments

import (
	"context"
	"errors"
	"sync"
)

// Event is the body of a payment event (JSON).
type Event struct {
	EventID     string `json:"event_id"`
	InvoiceID   string `json:"invoice_id"`
	AmountCents int64  `json:"amount_cents"`
}

// ErrPermanent marks a failure that no retry can fix (an unknown invoice).
var ErrPermanent = errors.New("permanent failure")

// Applier applies one event; a wrapped ErrPermanent means retrying is pointless.
type Applier interface {
	Apply(ctx context.Context, e Event) error
}

// Processed remembers which events were applied, so a redelivery is not applied twice.
type Processed interface {
	Seen(ctx context.Context, eventID string) (bool, error)
	Mark(ctx context.Context, eventID string) error
}

// MemoryProcessed is an in-memory Processed.
type MemoryProcessed struct {
	mu   sync.Mutex
	seen map[string]bool
}

func NewMemoryProcessed() *MemoryProcessed { return &MemoryProcessed{seen: map[string]bool{}} }

func (m *MemoryProcessed) Seen(_ context.Context, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[id], nil
}

func (m *MemoryProcessed) Mark(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[id] = true
	return nil
}
