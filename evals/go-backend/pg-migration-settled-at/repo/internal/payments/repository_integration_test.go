//go:build integration

package payments

import (
	"context"
	"errors"
	"testing"
)

func TestCreateAndGet(t *testing.T) {
	ctx := context.Background()
	r := NewRepository(testDB(t))
	id, err := r.Create(ctx, Payment{Merchant: "m-42", Amount: 1999, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Get(ctx, id)
	if err != nil || p.Merchant != "m-42" || p.Amount != 1999 || p.CreatedAt.IsZero() {
		t.Fatalf("Get(%d) = %+v, %v", id, p, err)
	}
	if _, err := r.Get(ctx, id+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(missing) = %v, want ErrNotFound", err)
	}
}
