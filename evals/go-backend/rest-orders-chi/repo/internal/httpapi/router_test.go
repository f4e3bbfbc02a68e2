package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/shop/internal/orders"
)

func TestGetUnknownOrder(t *testing.T) {
	rec := httptest.NewRecorder()
	NewRouter(orders.NewService(nil)).ServeHTTP(rec, httptest.NewRequest("GET", "/orders/nope", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("status %d, want 404", rec.Code)
	}
}
