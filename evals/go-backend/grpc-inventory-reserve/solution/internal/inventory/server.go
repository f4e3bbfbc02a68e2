// Package inventory implements the InventoryService gRPC API over an in-memory stock table.
package inventory

import (
	"context"
	"fmt"
	"strings"
	"sync"

	inventoryv1 "example.com/shop/gen/inventory/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Server holds stock per SKU; safe for concurrent use.
type Server struct {
	inventoryv1.UnimplementedInventoryServiceServer

	mu    sync.Mutex
	stock map[string]int32
	next  int
}

// NewServer starts from the given stock levels.
func NewServer(stock map[string]int32) *Server {
	s := &Server{stock: make(map[string]int32, len(stock))}
	for sku, n := range stock {
		s.stock[sku] = n
	}
	return s
}

// GetStock reports the available units of a SKU.
func (s *Server) GetStock(_ context.Context, req *inventoryv1.GetStockRequest) (*inventoryv1.GetStockResponse, error) {
	sku := strings.TrimSpace(req.GetSku())
	if sku == "" {
		return nil, status.Error(codes.InvalidArgument, "sku is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.stock[sku]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "unknown sku %q", sku)
	}
	return &inventoryv1.GetStockResponse{Sku: sku, Available: n}, nil
}

// Reserve takes quantity units out of stock, all or nothing.
func (s *Server) Reserve(_ context.Context, req *inventoryv1.ReserveRequest) (*inventoryv1.ReserveResponse, error) {
	sku := strings.TrimSpace(req.GetSku())
	if sku == "" {
		return nil, status.Error(codes.InvalidArgument, "sku is required")
	}
	if req.GetQuantity() <= 0 {
		return nil, status.Error(codes.InvalidArgument, "quantity must be positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.stock[sku]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "unknown sku %q", sku)
	}
	if n < req.GetQuantity() {
		return nil, status.Errorf(codes.FailedPrecondition, "only %d of %q left", n, sku)
	}
	s.stock[sku] = n - req.GetQuantity()
	s.next++
	return &inventoryv1.ReserveResponse{
		ReservationId: fmt.Sprintf("res-%d", s.next),
		Remaining:     s.stock[sku],
	}, nil
}
