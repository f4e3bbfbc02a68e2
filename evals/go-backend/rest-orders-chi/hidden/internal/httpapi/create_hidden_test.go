package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/shop/internal/orders"
)

func post(t *testing.T, svc *orders.Service, contentType, body string) (*httptest.ResponseRecorder, errorBody) {
	t.Helper()
	req := httptest.NewRequest("POST", "/orders", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	NewRouter(svc).ServeHTTP(rec, req)
	var e errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return rec, e
}

func stock() *orders.Service { return orders.NewService(map[string]int{"MUG": 2}) }

func TestHiddenCreateOrder(t *testing.T) {
	svc := stock()
	rec, _ := post(t, svc, "application/json", `{"sku":"MUG","quantity":2,"email":"a@b.example"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var o orders.Order
	_ = json.Unmarshal(rec.Body.Bytes(), &o)
	if o.ID == "" || o.SKU != "MUG" || o.Quantity != 2 || rec.Header().Get("Location") != "/orders/"+o.ID {
		t.Fatalf("order %+v, Location %q", o, rec.Header().Get("Location"))
	}
	get := httptest.NewRecorder()
	NewRouter(svc).ServeHTTP(get, httptest.NewRequest("GET", "/orders/"+o.ID, nil))
	if get.Code != http.StatusOK {
		t.Fatalf("GET the new order: %d", get.Code)
	}
}

func TestHiddenRequestShapeErrors(t *testing.T) {
	cases := []struct {
		name, ct, body string
		want           int
	}{
		{"not json content type", "text/plain", `{}`, http.StatusUnsupportedMediaType},
		{"malformed", "application/json", `{"sku":`, http.StatusBadRequest},
		{"unknown field", "application/json", `{"sku":"MUG","quantity":1,"email":"a@b.c","coupon":"X"}`, http.StatusBadRequest},
		{"too large", "application/json", `{"sku":"` + strings.Repeat("A", 70_000) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, e := post(t, stock(), c.ct, c.body)
			if rec.Code != c.want || e.Error == "" {
				t.Fatalf("status %d body %s, want %d with an error", rec.Code, rec.Body.String(), c.want)
			}
		})
	}
}

func TestHiddenValidationListsEveryField(t *testing.T) {
	rec, e := post(t, stock(), "application/json; charset=utf-8", `{"sku":"","quantity":0,"email":"nope"}`)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", rec.Code)
	}
	got := map[string]bool{}
	for _, f := range e.Fields {
		got[f.Field] = f.Message != ""
	}
	if len(e.Fields) != 3 || !got["sku"] || !got["quantity"] || !got["email"] {
		t.Fatalf("fields %+v, want sku, quantity and email with messages", e.Fields)
	}
	rec, e = post(t, stock(), "application/json", `{"sku":"`+strings.Repeat("S", 33)+`","quantity":101,"email":"a@b.c"}`)
	if rec.Code != http.StatusUnprocessableEntity || len(e.Fields) != 2 {
		t.Fatalf("long sku and quantity 101: %d %+v", rec.Code, e.Fields)
	}
}

func TestHiddenDomainErrorsMapped(t *testing.T) {
	rec, e := post(t, stock(), "application/json", `{"sku":"HAT","quantity":1,"email":"a@b.c"}`)
	if rec.Code != http.StatusUnprocessableEntity || len(e.Fields) != 1 || e.Fields[0].Field != "sku" {
		t.Fatalf("unknown sku: %d %+v, want 422 on sku", rec.Code, e)
	}
	rec, _ = post(t, stock(), "application/json", `{"sku":"MUG","quantity":3,"email":"a@b.c"}`)
	if rec.Code != http.StatusConflict {
		t.Fatalf("out of stock: %d, want 409", rec.Code)
	}
	svc := stock()
	svc.Fail = errors.New("pq: connection refused to 10.0.0.7")
	rec, e = post(t, svc, "application/json", `{"sku":"MUG","quantity":1,"email":"a@b.c"}`)
	if rec.Code != http.StatusInternalServerError || e.Error != "internal error" || strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Fatalf("infrastructure error: %d %s, want 500 internal error without the cause", rec.Code, rec.Body.String())
	}
}
