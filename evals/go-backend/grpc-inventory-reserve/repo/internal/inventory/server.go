// Package inventory implements the InventoryService gRPC API over an in-memory stock table.
package inventory

import (
	"context"
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
