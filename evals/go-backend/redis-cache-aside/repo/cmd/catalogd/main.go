// Command catalogd looks a product up through the cache (REDIS_ADDR, default localhost:6379).
package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"example.com/catalog/internal/cache"
	"example.com/catalog/internal/catalog"
)

func main() {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		addr = "localhost:6379"
	}
	db := catalog.NewDB(catalog.Product{ID: "tea", Name: "Tea", PriceCents: 450})
	products := cache.NewProducts(redis.NewClient(&redis.Options{Addr: addr}), db.Load, 10*time.Minute)
	p, err := products.Get(context.Background(), "tea")
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%+v", p)
}
