package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"example.com/shop/internal/orders"
)

// CreateOrderRequest is the body of POST /orders.
type CreateOrderRequest struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	Email    string `json:"email"`
}

// Validate returns every problem with the request, not just the first.
func (r CreateOrderRequest) Validate() []FieldError {
	var errs []FieldError
	if strings.TrimSpace(r.SKU) == "" {
		errs = append(errs, FieldError{"sku", "is required"})
	} else if len(r.SKU) > 32 {
		errs = append(errs, FieldError{"sku", "must be at most 32 characters"})
	}
	if r.Quantity < 1 || r.Quantity > 100 {
		errs = append(errs, FieldError{"quantity", "must be between 1 and 100"})
	}
	if at := strings.IndexByte(r.Email, '@'); at < 1 || at == len(r.Email)-1 {
		errs = append(errs, FieldError{"email", "must be an email address"})
	}
	return errs
}

const maxBody = 64 << 10

func createOrder(svc *orders.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json", nil)
			return
		}
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
		dec.DisallowUnknownFields()
		var req CreateOrderRequest
		if err := dec.Decode(&req); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, "body too large", nil)
				return
			}
			writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error(), nil)
			return
		}
		if errs := req.Validate(); len(errs) > 0 {
			writeError(w, http.StatusUnprocessableEntity, "validation failed", errs)
			return
		}
		order, err := svc.Place(r.Context(), req.SKU, req.Quantity, req.Email)
		switch {
		case errors.Is(err, orders.ErrUnknownSKU):
			writeError(w, http.StatusUnprocessableEntity, "validation failed", []FieldError{{"sku", "unknown sku"}})
		case errors.Is(err, orders.ErrOutOfStock):
			writeError(w, http.StatusConflict, "not enough stock", nil)
		case err != nil:
			writeError(w, http.StatusInternalServerError, "internal error", nil)
		default:
			w.Header().Set("Location", "/orders/"+order.ID)
			writeJSON(w, http.StatusCreated, order)
		}
	}
}
