package inventory

import (
	"context"
	"sync"
	"testing"
	"time"

	inventoryv1 "example.com/shop/gen/inventory/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestHiddenReserve(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client(t, map[string]int32{"TEA-1": 5})
	res, err := c.Reserve(ctx, &inventoryv1.ReserveRequest{Sku: "TEA-1", Quantity: 3})
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if res.GetRemaining() != 2 || res.GetReservationId() == "" {
		t.Fatalf("Reserve = %v, want 2 remaining and a reservation id", res)
	}
	again, err := c.Reserve(ctx, &inventoryv1.ReserveRequest{Sku: "TEA-1", Quantity: 2})
	if err != nil || again.GetReservationId() == res.GetReservationId() {
		t.Fatalf("second Reserve = %v, %v; want a new reservation id", again, err)
	}
	got, _ := c.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: "TEA-1"})
	if got.GetAvailable() != 0 {
		t.Fatalf("GetStock after reserving everything = %d", got.GetAvailable())
	}
}

func TestHiddenReserveStatusCodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client(t, map[string]int32{"TEA-1": 1})
	cases := []struct {
		name string
		req  *inventoryv1.ReserveRequest
		want codes.Code
	}{
		{"no sku", &inventoryv1.ReserveRequest{Quantity: 1}, codes.InvalidArgument},
		{"zero quantity", &inventoryv1.ReserveRequest{Sku: "TEA-1"}, codes.InvalidArgument},
		{"negative quantity", &inventoryv1.ReserveRequest{Sku: "TEA-1", Quantity: -2}, codes.InvalidArgument},
		{"unknown sku", &inventoryv1.ReserveRequest{Sku: "NOPE", Quantity: 1}, codes.NotFound},
		{"not enough", &inventoryv1.ReserveRequest{Sku: "TEA-1", Quantity: 2}, codes.FailedPrecondition},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Reserve(ctx, tc.req)
			if got := status.Code(err); got != tc.want {
				t.Fatalf("code %v (%v), want %v", got, err, tc.want)
			}
		})
	}
	got, _ := c.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: "TEA-1"})
	if got.GetAvailable() != 1 {
		t.Fatalf("refused reservations changed the stock to %d", got.GetAvailable())
	}
}

func TestHiddenConcurrentReservesNeverOversell(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client(t, map[string]int32{"TEA-1": 10})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Reserve(ctx, &inventoryv1.ReserveRequest{Sku: "TEA-1", Quantity: 1}); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 10 {
		t.Fatalf("%d of 30 concurrent reservations of 10 units succeeded, want 10", ok)
	}
}
