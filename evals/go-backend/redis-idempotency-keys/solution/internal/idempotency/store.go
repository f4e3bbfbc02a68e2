// Package idempotency remembers which payment requests were already handled, keyed by the
// client's Idempotency-Key header, in Redis: a retried request gets the first answer
// instead of charging the card twice.
package idempotency

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	ErrInvalidKey = errors.New("idempotency key must not be empty")
	// ErrNoClaim means Finish was called for a key nobody holds (never claimed, or expired).
	ErrNoClaim = errors.New("no claim for this idempotency key")
)

// State is what Begin found.
type State int

const (
	// Claimed: this request holds the key and must do the work, then call Finish.
	Claimed State = iota
	// InProgress: another request holds the key and has not finished.
	InProgress
	// Done: the key's request finished; Claim.Response is its answer.
	Done
)

// Response is the answer sent for a request: replayed for its retries.
type Response struct {
	Status int    `json:"status"`
	Body   []byte `json:"body"`
}

// Claim is Begin's result.
type Claim struct {
	State    State
	Response Response
}

// Store keeps idempotency keys in Redis for ttl.
type Store struct {
	rdb *redis.Client
	ttl time.Duration
}

// pending marks a claimed key whose request has not finished; a response is a JSON object.
const pending = "pending"

func redisKey(key string) string { return "idem:" + key }

func New(rdb *redis.Client, ttl time.Duration) *Store { return &Store{rdb: rdb, ttl: ttl} }

// Healthy reports whether Redis answers.
func (s *Store) Healthy(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Begin claims key for the calling request (SET NX with the store's TTL, so exactly one of
// many concurrent requests wins), or says who has it: in progress, or done with its response.
func (s *Store) Begin(ctx context.Context, key string) (Claim, error) {
	if key == "" {
		return Claim{}, ErrInvalidKey
	}
	k := redisKey(key)
	// A claim can expire between the SET and the GET: then try to claim it again.
	for attempt := 0; attempt < 3; attempt++ {
		won, err := s.rdb.SetNX(ctx, k, pending, s.ttl).Result()
		if err != nil {
			return Claim{}, fmt.Errorf("claim %q: %w", key, err)
		}
		if won {
			return Claim{State: Claimed}, nil
		}
		val, err := s.rdb.Get(ctx, k).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return Claim{}, fmt.Errorf("read %q: %w", key, err)
		}
		if val == pending {
			return Claim{State: InProgress}, nil
		}
		var r Response
		if err := json.Unmarshal([]byte(val), &r); err != nil {
			return Claim{}, fmt.Errorf("read %q: %w", key, err)
		}
		return Claim{State: Done, Response: r}, nil
	}
	return Claim{}, fmt.Errorf("claim %q: it keeps expiring", key)
}

// Finish stores the response of the request that claimed key, for its retries, in the
// claim's place and with the claim's remaining TTL (XX, KEEPTTL): a key nobody holds is
// ErrNoClaim and is not created.
func (s *Store) Finish(ctx context.Context, key string, r Response) error {
	if key == "" {
		return ErrInvalidKey
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("finish %q: %w", key, err)
	}
	err = s.rdb.SetArgs(ctx, redisKey(key), data, redis.SetArgs{Mode: "XX", KeepTTL: true}).Err()
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("finish %q: %w", key, ErrNoClaim)
	}
	if err != nil {
		return fmt.Errorf("finish %q: %w", key, err)
	}
	return nil
}
