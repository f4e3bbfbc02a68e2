//go:build integration

package wallets

import (
	"context"
	"errors"
	"testing"
)

func TestOpenAndBalance(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	if err := s.Open(ctx, 1, "ada", "EUR", 2500); err != nil {
		t.Fatal(err)
	}
	got, err := s.Balance(ctx, 1)
	if err != nil || got != 2500 {
		t.Fatalf("Balance(1) = %d, %v; want 2500", got, err)
	}
	if _, err := s.Balance(ctx, 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Balance(2) = %v, want ErrNotFound", err)
	}
}
