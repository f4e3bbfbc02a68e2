// Package cache puts a Redis cache-aside in front of the product catalogue.
package cache

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"example.com/catalog/internal/catalog"
)

// Loader reads a product from the source of truth.
type Loader func(ctx context.Context, id string) (catalog.Product, error)

// Products serves products from Redis, loading and storing them on a miss. Concurrent misses
// of one id share a single load.
type Products struct {
	rdb  redis.Cmdable
	load Loader
	ttl  time.Duration

	mu       sync.Mutex
	inflight map[string]*call
}

type call struct {
	done chan struct{}
	prod catalog.Product
	err  error
}

// NewProducts caches what load returns for ttl.
func NewProducts(rdb redis.Cmdable, load Loader, ttl time.Duration) *Products {
	return &Products{rdb: rdb, load: load, ttl: ttl, inflight: map[string]*call{}}
}

func key(id string) string { return "product:" + id }

// Get returns the cached product, or loads it once and caches it. Redis errors degrade to the source.
func (p *Products) Get(ctx context.Context, id string) (catalog.Product, error) {
	if raw, err := p.rdb.Get(ctx, key(id)).Bytes(); err == nil {
		var prod catalog.Product
		if json.Unmarshal(raw, &prod) == nil {
			return prod, nil
		}
	}
	p.mu.Lock()
	if c, ok := p.inflight[id]; ok {
		p.mu.Unlock()
		select {
		case <-c.done:
			return c.prod, c.err
		case <-ctx.Done():
			return catalog.Product{}, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	p.inflight[id] = c
	p.mu.Unlock()

	c.prod, c.err = p.load(ctx, id)
	if c.err == nil {
		if data, err := json.Marshal(c.prod); err == nil {
			_ = p.rdb.Set(ctx, key(id), data, p.ttl).Err()
		}
	}
	p.mu.Lock()
	delete(p.inflight, id)
	p.mu.Unlock()
	close(c.done)
	return c.prod, c.err
}

// Invalidate drops a product after it changed in the source.
func (p *Products) Invalidate(ctx context.Context, id string) error {
	return p.rdb.Del(ctx, key(id)).Err()
}
