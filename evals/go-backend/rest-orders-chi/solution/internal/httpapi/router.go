// Package httpapi serves the order endpoints over HTTP with chi.
package httpapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"example.com/shop/internal/orders"
)

// NewRouter wires the order routes.
func NewRouter(svc *orders.Service) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Route("/orders", func(r chi.Router) {
		r.Post("/", createOrder(svc))
		r.Get("/{id}", getOrder(svc))
	})
	return r
}

func getOrder(svc *orders.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		order, err := svc.Get(r.Context(), chi.URLParam(r, "id"))
		if errors.Is(err, orders.ErrNotFound) {
			writeError(w, http.StatusNotFound, "order not found", nil)
			return
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal error", nil)
			return
		}
		writeJSON(w, http.StatusOK, order)
	}
}
