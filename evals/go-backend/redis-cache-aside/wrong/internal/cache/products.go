// Package cache puts a Redis cache-aside in front of the product catalogue.
package cache

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"example.com/catalog/internal/catalog"
)

// Loader reads a product from the source of truth.
type Loader func(ctx context.Context, id string) (catalog.Product, error)

// Products serves products from Redis, loading and storing them on a miss.
type Products struct {
	rdb  redis.Cmdable
	load Loader
	ttl  time.Duration
}

// NewProducts caches what load returns for ttl.
func NewProducts(rdb redis.Cmdable, load Loader, ttl time.Duration) *Products {
	return &Products{rdb: rdb, load: load, ttl: ttl}
}

func key(id string) string { return "product:" + id }

// Get returns the cached product, or loads it and caches it.
func (p *Products) Get(ctx context.Context, id string) (catalog.Product, error) {
	if raw, err := p.rdb.Get(ctx, key(id)).Bytes(); err == nil {
		var prod catalog.Product
		if json.Unmarshal(raw, &prod) == nil {
			return prod, nil
		}
	}
	prod, err := p.load(ctx, id)
	if err != nil {
		return catalog.Product{}, err
	}
	if data, err := json.Marshal(prod); err == nil {
		_ = p.rdb.Set(ctx, key(id), data, p.ttl).Err()
	}
	return prod, nil
}

// Invalidate drops a product after it changed in the source.
func (p *Products) Invalidate(ctx context.Context, id string) error {
	return p.rdb.Del(ctx, key(id)).Err()
}
