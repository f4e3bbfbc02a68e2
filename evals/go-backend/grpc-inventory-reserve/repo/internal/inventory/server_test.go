package inventory

import (
	"context"
	"net"
	"testing"
	"time"

	inventoryv1 "example.com/shop/gen/inventory/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// client starts the service on an in-memory listener: a real gRPC server and client, no network.
func client(t *testing.T, stock map[string]int32) inventoryv1.InventoryServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	inventoryv1.RegisterInventoryServiceServer(srv, NewServer(stock))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return inventoryv1.NewInventoryServiceClient(conn)
}

func TestGetStock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client(t, map[string]int32{"TEA-1": 5})
	got, err := c.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: "TEA-1"})
	if err != nil || got.GetAvailable() != 5 {
		t.Fatalf("GetStock = %v, %v", got, err)
	}
	if _, err := c.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: "NOPE"}); status.Code(err) != codes.NotFound {
		t.Fatalf("unknown sku: %v", err)
	}
}
