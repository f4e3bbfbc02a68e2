//go:build integration

package idempotency

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// testClient connects to REDIS_URL (unix:///…/redis.sock in a job).
func testClient(t *testing.T) *redis.Client {
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

func TestHealthy(t *testing.T) {
	s := New(testClient(t), time.Minute)
	if err := s.Healthy(context.Background()); err != nil {
		t.Fatal(err)
	}
}
