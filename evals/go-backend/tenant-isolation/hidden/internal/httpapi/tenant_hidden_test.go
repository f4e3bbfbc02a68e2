package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/notes/internal/notes"
	"example.com/notes/internal/tenant"
)

func call(t *testing.T, h http.Handler, method, path, tenantID, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if tenantID != "" {
		req.Header.Set("X-Tenant-ID", tenantID)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHiddenTenantHeaderRequired(t *testing.T) {
	h := New(notes.NewStore())
	for _, id := range []string{"", "ACME", "a b", strings.Repeat("x", 33), "acme;drop"} {
		rec := call(t, h, "GET", "/notes", id, "")
		if rec.Code != http.StatusBadRequest {
			t.Errorf("X-Tenant-ID %q: status %d, want 400", id, rec.Code)
		}
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] == "" {
			t.Errorf("X-Tenant-ID %q: body %q is not a JSON error", id, rec.Body.String())
		}
	}
	if rec := call(t, h, "GET", "/notes", "acme-2", ""); rec.Code != http.StatusOK {
		t.Errorf("a valid tenant: status %d", rec.Code)
	}
}

func TestHiddenListOnlyOwnNotes(t *testing.T) {
	h := New(notes.NewStore())
	call(t, h, "POST", "/notes", "acme", `{"text":"acme secret"}`)
	call(t, h, "POST", "/notes", "globex", `{"text":"globex plan"}`)
	rec := call(t, h, "GET", "/notes", "acme", "")
	var list []notes.Note
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatalf("list: %v: %s", err, rec.Body.String())
	}
	if len(list) != 1 || list[0].Text != "acme secret" {
		t.Fatalf("acme lists %+v, want only its own note", list)
	}
}

func TestHiddenCrossTenantGetIs404(t *testing.T) {
	h := New(notes.NewStore())
	rec := call(t, h, "POST", "/notes", "acme", `{"text":"acme secret"}`)
	var n notes.Note
	_ = json.Unmarshal(rec.Body.Bytes(), &n)
	if n.ID == "" {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
	}
	if got := call(t, h, "GET", "/notes/"+n.ID, "acme", ""); got.Code != http.StatusOK {
		t.Fatalf("owner get: %d", got.Code)
	}
	other := call(t, h, "GET", "/notes/"+n.ID, "globex", "")
	unknown := call(t, h, "GET", "/notes/n999", "globex", "")
	if other.Code != http.StatusNotFound || other.Body.String() != unknown.Body.String() {
		t.Fatalf("another tenant's note: %d %q; an unknown id: %d %q — want the same 404", other.Code, other.Body.String(), unknown.Code, unknown.Body.String())
	}
}

func TestHiddenContextRoundTrip(t *testing.T) {
	if _, ok := tenant.From(context.Background()); ok {
		t.Fatal("From(empty context) found a tenant")
	}
	got, ok := tenant.From(tenant.With(context.Background(), "acme"))
	if !ok || got != "acme" {
		t.Fatalf("From(With(acme)) = %q, %v", got, ok)
	}
	// A plain string key of the same text must not be mistaken for the tenant.
	ctx := context.WithValue(context.Background(), "tenant", tenant.ID("evil")) //nolint:staticcheck
	if _, ok := tenant.From(ctx); ok {
		t.Fatal("From read a string-keyed value")
	}
	if _, err := notes.NewStore().List(context.Background()); err != notes.ErrNoTenant {
		t.Fatalf("List without a tenant: err = %v, want ErrNoTenant", err)
	}
}
