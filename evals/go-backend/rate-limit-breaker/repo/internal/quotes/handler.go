// Package quotes serves GET /quotes/{sku}, priced by the upstream pricing API.
package quotes

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"

	"example.com/quotes/internal/resilience"
)

// Pricer asks the upstream pricing API.
type Pricer interface {
	PriceCents(sku string) (int64, error)
}

// Handler answers quote requests, limited per client and protected by a breaker upstream.
type Handler struct {
	Pricer  Pricer
	Limiter *resilience.Limiter
	Breaker *resilience.Breaker
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	client := r.Header.Get("X-Client-ID")
	if ok, retry := h.Limiter.Allow(client); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(retry.Seconds()))))
		http.Error(w, "rate limited", http.StatusTooManyRequests)
		return
	}
	var cents int64
	err := h.Breaker.Do(func() error {
		var err error
		cents, err = h.Pricer.PriceCents(r.PathValue("sku"))
		return err
	})
	switch {
	case errors.Is(err, resilience.ErrOpen):
		http.Error(w, "pricing unavailable", http.StatusServiceUnavailable)
	case err != nil:
		http.Error(w, "pricing failed", http.StatusBadGateway)
	default:
		_ = json.NewEncoder(w).Encode(map[string]int64{"price_cents": cents})
	}
}
