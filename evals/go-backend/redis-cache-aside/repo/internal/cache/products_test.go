package cache

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"example.com/catalog/internal/catalog"
)

func TestGetReturnsTheProduct(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	db := catalog.NewDB(catalog.Product{ID: "tea", Name: "Tea", PriceCents: 450})
	p, err := NewProducts(rdb, db.Load, time.Minute).Get(context.Background(), "tea")
	if err != nil || p.Name != "Tea" {
		t.Fatalf("Get = %+v, %v", p, err)
	}
}
