// Package httpapi serves the back office's HTTP API.
package httpapi

import (
	"encoding/json"
	"net/http"

	"example.com/orders/internal/orders"
)

// Server routes back-office requests.
type Server struct {
	Store *orders.Store
}

func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", s.getOrder)
	return mux
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("id")})
}
