//go:build integration

package idempotency

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// hiddenClient connects to REDIS_URL (the judge's own Redis).
func hiddenClient(t *testing.T) *redis.Client {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL is not set")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// freshKey is a key no other test (or earlier run) used.
func freshKey(t *testing.T) string {
	return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
}

func TestHiddenBeginClaimsOnce(t *testing.T) {
	s := New(hiddenClient(t), time.Minute)
	key := freshKey(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[State]int{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Begin(context.Background(), key)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("Begin: %v", err)
				return
			}
			counts[c.State]++
		}()
	}
	wg.Wait()
	if counts[Claimed] != 1 || counts[InProgress] != 49 {
		t.Fatalf("50 concurrent Begin: %d claimed, %d in progress, %d done; want exactly 1 claimed",
			counts[Claimed], counts[InProgress], counts[Done])
	}
}

func TestHiddenFinishReplaysTheResponse(t *testing.T) {
	ctx := context.Background()
	s := New(hiddenClient(t), time.Minute)
	key := freshKey(t)
	if c, err := s.Begin(ctx, key); err != nil || c.State != Claimed {
		t.Fatalf("first Begin = %+v, %v; want Claimed", c, err)
	}
	want := Response{Status: 201, Body: []byte(`{"payment":"pay_123","status":"captured"}`)}
	if err := s.Finish(ctx, key, want); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	c, err := s.Begin(ctx, key)
	if err != nil || c.State != Done || c.Response.Status != want.Status || !bytes.Equal(c.Response.Body, want.Body) {
		t.Fatalf("a retry's Begin = %+v, %v; want Done with %+v", c, err, want)
	}
	if c, err := s.Begin(ctx, key+"-other"); err != nil || c.State != Claimed {
		t.Fatalf("another key's Begin = %+v, %v; want Claimed", c, err)
	}
}

func TestHiddenKeysExpire(t *testing.T) {
	ctx := context.Background()
	rdb := hiddenClient(t)
	s := New(rdb, 5*time.Second)
	key := freshKey(t)
	if _, err := s.Begin(ctx, key); err != nil {
		t.Fatal(err)
	}
	ttl, err := rdb.PTTL(ctx, "idem:"+key).Result()
	if err != nil || ttl <= 0 || ttl > 5*time.Second {
		t.Fatalf("after Begin, PTTL idem:%s = %v, %v; want the store's TTL (0 < ttl ≤ 5s)", key, ttl, err)
	}
	if err := s.Finish(ctx, key, Response{Status: 200}); err != nil {
		t.Fatal(err)
	}
	ttl, err = rdb.PTTL(ctx, "idem:"+key).Result()
	if err != nil || ttl <= 0 || ttl > 5*time.Second {
		t.Fatalf("after Finish, PTTL idem:%s = %v, %v; want the claim's remaining TTL kept (a finished key must still expire)", key, ttl, err)
	}
	// A claim whose request died frees the key when it expires.
	short := New(rdb, 300*time.Millisecond)
	abandoned := freshKey(t)
	if _, err := short.Begin(ctx, abandoned); err != nil {
		t.Fatal(err)
	}
	time.Sleep(450 * time.Millisecond)
	if c, err := short.Begin(ctx, abandoned); err != nil || c.State != Claimed {
		t.Fatalf("Begin after the claim expired = %+v, %v; want Claimed", c, err)
	}
}

func TestHiddenFinishWithoutClaim(t *testing.T) {
	ctx := context.Background()
	rdb := hiddenClient(t)
	s := New(rdb, time.Minute)
	key := freshKey(t)
	if err := s.Finish(ctx, key, Response{Status: 200}); !errors.Is(err, ErrNoClaim) {
		t.Fatalf("Finish without Begin: err = %v, want ErrNoClaim", err)
	}
	if n, err := rdb.Exists(ctx, "idem:"+key).Result(); err != nil || n != 0 {
		t.Fatalf("Finish without Begin created idem:%s (%d, %v)", key, n, err)
	}
	if _, err := s.Begin(ctx, ""); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Begin(\"\"): err = %v, want ErrInvalidKey", err)
	}
}
