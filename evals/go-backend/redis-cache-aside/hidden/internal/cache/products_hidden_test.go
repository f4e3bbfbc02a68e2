package cache

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"example.com/catalog/internal/catalog"
)

func hiddenSetup(t *testing.T, latency time.Duration) (*miniredis.Miniredis, *Products, *catalog.DB) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	db := catalog.NewDB(catalog.Product{ID: "tea", Name: "Tea", PriceCents: 450}, catalog.Product{ID: "mug", Name: "Mug", PriceCents: 900})
	db.Latency = latency
	return mr, NewProducts(rdb, db.Load, time.Minute), db
}

func TestHiddenCachesWithTTL(t *testing.T) {
	mr, p, db := hiddenSetup(t, 0)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if got, err := p.Get(ctx, "tea"); err != nil || got.Name != "Tea" {
			t.Fatalf("Get = %+v, %v", got, err)
		}
	}
	if n := db.Queries.Load(); n != 1 {
		t.Fatalf("%d database queries for 3 gets, want 1", n)
	}
	if !mr.Exists("product:tea") {
		t.Fatalf("no product:tea key; keys %v", mr.Keys())
	}
	if ttl := mr.TTL("product:tea"); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL %v, want (0, 1m]", ttl)
	}
	mr.FastForward(61 * time.Second)
	p.Get(ctx, "tea")
	if n := db.Queries.Load(); n != 2 {
		t.Fatalf("after the TTL passed: %d queries, want a reload (2)", n)
	}
}

func TestHiddenStampedeLoadsOnce(t *testing.T) {
	_, p, db := hiddenSetup(t, 150*time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := p.Get(context.Background(), "tea"); err != nil || got.ID != "tea" {
				errs <- errors.Join(err, errors.New("wrong product "+got.ID))
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := p.Get(context.Background(), "mug"); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := db.Queries.Load(); n != 2 {
		t.Fatalf("%d database queries for 50 concurrent misses of tea and 1 of mug, want 2", n)
	}
}

func TestHiddenErrorsNotCached(t *testing.T) {
	mr, p, db := hiddenSetup(t, 0)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := p.Get(ctx, "nope"); !errors.Is(err, catalog.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	}
	if n := db.Queries.Load(); n != 2 || mr.Exists("product:nope") {
		t.Fatalf("a not-found was cached (queries %d, keys %v)", n, mr.Keys())
	}
}

func TestHiddenCorruptEntryAndInvalidate(t *testing.T) {
	mr, p, db := hiddenSetup(t, 0)
	ctx := context.Background()
	mr.Set("product:tea", "{not json")
	if got, err := p.Get(ctx, "tea"); err != nil || got.Name != "Tea" {
		t.Fatalf("corrupt entry: %+v, %v", got, err)
	}
	if v, _ := mr.Get("product:tea"); v == "{not json" {
		t.Fatal("the corrupt entry was not overwritten")
	}
	db.Put(catalog.Product{ID: "tea", Name: "Green tea", PriceCents: 500})
	if err := p.Invalidate(ctx, "tea"); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Get(ctx, "tea"); got.Name != "Green tea" {
		t.Fatalf("after Invalidate: %+v, want the new name", got)
	}
}

func TestHiddenRedisDownDegrades(t *testing.T) {
	mr, p, _ := hiddenSetup(t, 0)
	mr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if got, err := p.Get(ctx, "tea"); err != nil || got.Name != "Tea" {
		t.Fatalf("with Redis down: %+v, %v; want the product from the source", got, err)
	}
}
