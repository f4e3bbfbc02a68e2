// Package notes stores tenants' notes. Every method is scoped to the tenant in its context.
package notes

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"example.com/notes/internal/tenant"
)

var (
	ErrNotFound = errors.New("note not found")
	ErrNoTenant = errors.New("no tenant in context")
)

// Note is one tenant's note.
type Note struct {
	ID     string    `json:"id"`
	Tenant tenant.ID `json:"-"`
	Text   string    `json:"text"`
}

// Store keeps notes in memory.
type Store struct {
	mu    sync.Mutex
	next  int
	notes map[string]Note
}

func NewStore() *Store { return &Store{notes: map[string]Note{}} }

// Add stores a note for the context's tenant.
func (s *Store) Add(ctx context.Context, text string) (Note, error) {
	t, ok := tenant.From(ctx)
	if !ok {
		return Note{}, ErrNoTenant
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	n := Note{ID: fmt.Sprintf("n%d", s.next), Tenant: t, Text: text}
	s.notes[n.ID] = n
	return n, nil
}

// Get returns a note by id.
func (s *Store) Get(ctx context.Context, id string) (Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[id]
	if !ok {
		return Note{}, ErrNotFound
	}
	return n, nil
}

// List returns the notes, by id.
func (s *Store) List(ctx context.Context) ([]Note, error) {
	t, ok := tenant.From(ctx)
	if !ok {
		return nil, ErrNoTenant
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Note{}
	for _, n := range s.notes {
		if n.Tenant == t {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
