// Package resilience protects the quotes service and its upstreams: a per-client rate limiter
// for incoming requests and a circuit breaker for the upstream pricing API.
package resilience

import (
	"time"

	"example.com/quotes/internal/clock"
)

// Limiter is a token bucket per key: each key may burst up to Burst requests, and regains
// tokens at Rate per second.
type Limiter struct {
	Rate  float64
	Burst int
	Clock clock.Clock
}

// Allow reports whether key may make a request now, taking a token if so. When it may not,
// retryAfter says how long until the next token.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	return true, 0
}
