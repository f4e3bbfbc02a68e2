package httpapi

import (
	"net/http"
	"regexp"

	"example.com/notes/internal/tenant"
)

var tenantID = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// withTenant puts the X-Tenant-ID header's tenant in the request context, or answers 400.
func withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Tenant-ID")
		if !tenantID.MatchString(id) {
			writeError(w, http.StatusBadRequest, "X-Tenant-ID must be 1-32 lowercase letters, digits or -")
			return
		}
		next.ServeHTTP(w, r.WithContext(tenant.With(r.Context(), tenant.ID(id))))
	})
}
