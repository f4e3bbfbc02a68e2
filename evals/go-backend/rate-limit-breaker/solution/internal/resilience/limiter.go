// Package resilience protects the quotes service and its upstreams: a per-client rate limiter
// for incoming requests and a circuit breaker for the upstream pricing API.
package resilience

import (
	"sync"
	"time"

	"example.com/quotes/internal/clock"
)

// Limiter is a token bucket per key: each key may burst up to Burst requests, and regains
// tokens at Rate per second.
type Limiter struct {
	Rate  float64
	Burst int
	Clock clock.Clock

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Allow reports whether key may make a request now, taking a token if so. When it may not,
// retryAfter says how long until the next token.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Clock.Now()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b, found := l.buckets[key]
	if !found {
		b = &bucket{tokens: float64(l.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * l.Rate
	if b.tokens > float64(l.Burst) {
		b.tokens = float64(l.Burst)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
}
