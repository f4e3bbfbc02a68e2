package resilience

import (
	"errors"
	"sync"
	"time"

	"example.com/quotes/internal/clock"
)

// ErrOpen is returned without calling the upstream while the breaker is open.
var ErrOpen = errors.New("circuit breaker is open")

// Breaker opens after Threshold consecutive failures and stays open for Cooldown. After the
// cooldown it lets one trial call through (half-open): success closes it, failure opens it again.
type Breaker struct {
	Threshold int
	Cooldown  time.Duration
	Clock     clock.Clock

	mu       sync.Mutex
	failures int
	openedAt time.Time
	open     bool
	trial    bool
}

// Do runs fn unless the breaker is open.
func (b *Breaker) Do(fn func() error) error {
	b.mu.Lock()
	if b.open {
		if b.trial || b.Clock.Now().Sub(b.openedAt) < b.Cooldown {
			b.mu.Unlock()
			return ErrOpen
		}
		b.trial = true
	}
	b.mu.Unlock()

	err := fn()

	b.mu.Lock()
	defer b.mu.Unlock()
	wasTrial := b.trial
	b.trial = false
	if err == nil {
		b.failures, b.open = 0, false
		return nil
	}
	b.failures++
	if wasTrial || b.failures >= b.Threshold {
		b.open, b.openedAt = true, b.Clock.Now()
	}
	return err
}

// State is "closed", "open" or "half-open".
func (b *Breaker) State() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.trial:
		return "half-open"
	case b.open:
		return "open"
	default:
		return "closed"
	}
}
