// Package idempotency remembers which payment requests were already handled, keyed by the
// client's Idempotency-Key header, in Redis: a retried request gets the first answer
// instead of charging the card twice.
package idempotency

import (
	"context"
	"errors"
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

func New(rdb *redis.Client, ttl time.Duration) *Store { return &Store{rdb: rdb, ttl: ttl} }

// Healthy reports whether Redis answers.
func (s *Store) Healthy(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Begin claims key for the calling request, or says who has it.
func (s *Store) Begin(ctx context.Context, key string) (Claim, error) {
	return Claim{}, errors.New("not implemented")
}

// Finish stores the response of the request that claimed key.
func (s *Store) Finish(ctx context.Context, key string, r Response) error {
	return errors.New("not implemented")
}
