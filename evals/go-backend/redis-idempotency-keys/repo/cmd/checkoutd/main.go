// Command checkoutd takes card payments; the idempotency store keeps retries from charging twice.
package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"example.com/checkout/internal/idempotency"
)

func main() {
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	store := idempotency.New(redis.NewClient(opts), 24*time.Hour)
	if err := store.Healthy(context.Background()); err != nil {
		log.Fatal(err)
	}
	log.Print("checkoutd: idempotency store ready")
}
