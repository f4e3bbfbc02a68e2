// Package httpapi serves the invoices API.
package httpapi

import (
	"encoding/json"
	"net/http"

	"example.com/invoices/internal/auth"
	"example.com/invoices/internal/rbac"
)

// New returns the API: GET /invoices needs invoices:read, POST /invoices invoices:write,
// DELETE /users/{id} users:manage. Every route needs a valid token.
func New(cfg auth.Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /invoices", auth.Require(rbac.InvoicesRead, http.HandlerFunc(listInvoices)))
	mux.Handle("POST /invoices", auth.Require(rbac.InvoicesWrite, http.HandlerFunc(createInvoice)))
	mux.Handle("DELETE /users/{id}", auth.Require(rbac.UsersManage, http.HandlerFunc(deleteUser)))
	return auth.Middleware(cfg)(mux)
}

func listInvoices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]any{{"id": "inv-1", "total_cents": 12000}})
}

func createInvoice(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.FromContext(r.Context())
	sub := ""
	if c != nil {
		sub = c.Subject
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": "inv-2", "created_by": sub})
}

func deleteUser(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
