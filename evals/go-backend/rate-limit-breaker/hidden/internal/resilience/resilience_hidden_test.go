package resilience

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"example.com/quotes/internal/clock"
)

func fake() *clock.Fake { return clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) }

func TestHiddenLimiterBurstAndRetryAfter(t *testing.T) {
	c := fake()
	l := &Limiter{Rate: 2, Burst: 3, Clock: c}
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow("a")
	if ok {
		t.Fatal("4th request allowed past a burst of 3")
	}
	if retry <= 0 || retry > 500*time.Millisecond {
		t.Fatalf("retryAfter = %v, want (0, 500ms] at 2 tokens/s", retry)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key was limited by a's requests")
	}
}

func TestHiddenLimiterRefillsFractions(t *testing.T) {
	c := fake()
	l := &Limiter{Rate: 2, Burst: 1, Clock: c}
	l.Allow("a")
	c.Advance(300 * time.Millisecond) // 0.6 of a token
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("allowed with 0.6 tokens")
	}
	c.Advance(300 * time.Millisecond) // 1.2 tokens: one request
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after 600ms at 2 tokens/s")
	}
	c.Advance(10 * time.Second) // capped at the burst
	l.Allow("a")
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("tokens piled up above the burst")
	}
}

func TestHiddenLimiterConcurrent(t *testing.T) {
	l := &Limiter{Rate: 1, Burst: 50, Clock: fake()}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Allow("k"); ok {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 50 {
		t.Fatalf("allowed %d of 200 concurrent requests, want exactly the burst of 50", allowed.Load())
	}
}

var errUpstream = errors.New("upstream 500")

func TestHiddenBreakerOpensOnConsecutiveFailures(t *testing.T) {
	c := fake()
	b := &Breaker{Threshold: 3, Cooldown: time.Minute, Clock: c}
	fail := func() error { return errUpstream }
	ok := func() error { return nil }
	b.Do(fail)
	b.Do(fail)
	b.Do(ok) // resets the count
	b.Do(fail)
	b.Do(fail)
	if b.State() != "closed" {
		t.Fatalf("state %q after non-consecutive failures, want closed", b.State())
	}
	if err := b.Do(fail); !errors.Is(err, errUpstream) {
		t.Fatalf("the failing call returned %v, want the upstream's error", err)
	}
	if b.State() != "open" {
		t.Fatalf("state %q after 3 consecutive failures, want open", b.State())
	}
	called := false
	if err := b.Do(func() error { called = true; return nil }); !errors.Is(err, ErrOpen) || called {
		t.Fatalf("open breaker: err %v, called %v; want ErrOpen without a call", err, called)
	}
}

func TestHiddenBreakerHalfOpenTrial(t *testing.T) {
	c := fake()
	b := &Breaker{Threshold: 1, Cooldown: time.Minute, Clock: c}
	b.Do(func() error { return errUpstream })
	c.Advance(59 * time.Second)
	if err := b.Do(func() error { return nil }); !errors.Is(err, ErrOpen) {
		t.Fatalf("before the cooldown: %v, want ErrOpen", err)
	}
	c.Advance(2 * time.Second)
	// One trial at a time: a call made while the trial runs is refused.
	var inner error
	err := b.Do(func() error {
		if b.State() != "half-open" {
			t.Errorf("state during the trial %q, want half-open", b.State())
		}
		inner = b.Do(func() error { return nil })
		return errUpstream
	})
	if !errors.Is(err, errUpstream) || !errors.Is(inner, ErrOpen) {
		t.Fatalf("trial err %v, concurrent call %v; want the upstream error and ErrOpen", err, inner)
	}
	if b.State() != "open" {
		t.Fatalf("after a failed trial %q, want open", b.State())
	}
	c.Advance(61 * time.Second)
	if err := b.Do(func() error { return nil }); err != nil {
		t.Fatalf("second trial: %v", err)
	}
	if b.State() != "closed" {
		t.Fatalf("after a good trial %q, want closed", b.State())
	}
}
