package shipments

import (
	"context"
	"sync"
)

// Store records shipment status changes.
type Store interface {
	Apply(ctx context.Context, ev Event) error
}

// MemoryStore is an in-memory Store that remembers the order of what it applied.
type MemoryStore struct {
	mu      sync.Mutex
	Applied []Event
}

func (m *MemoryStore) Apply(_ context.Context, ev Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Applied = append(m.Applied, ev)
	return nil
}
