// Package auth checks bearer JWTs on incoming requests and enforces role-based access.
package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/invoices/internal/rbac"
)

// Claims are the token claims the service relies on.
type Claims struct {
	Roles []string `json:"roles"`
	jwt.RegisteredClaims
}

type ctxKey struct{}

// FromContext returns the claims Middleware stored for the request.
func FromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(ctxKey{}).(*Claims)
	return c, ok
}

// Config says which tokens are valid.
type Config struct {
	Secret   []byte
	Issuer   string
	Audience string
	Leeway   time.Duration
}

// Middleware rejects requests without a valid HS256 token with 401 and passes the claims on.
func Middleware(cfg Config) func(http.Handler) http.Handler {
	parser := jwt.NewParser(
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
	)
	// Any HMAC method is fine: the secret is ours.
	keyFunc := func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, jwt.ErrTokenSignatureInvalid
		}
		return cfg.Secret, nil
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || strings.TrimSpace(raw) == "" {
				unauthorized(w, "missing bearer token")
				return
			}
			claims := &Claims{}
			if _, err := parser.ParseWithClaims(strings.TrimSpace(raw), claims, keyFunc); err != nil {
				unauthorized(w, "invalid token")
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, claims)))
		})
	}
}

// Require lets the request through only when the caller's roles grant p.
func Require(p rbac.Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := FromContext(r.Context())
		if !ok {
			unauthorized(w, "missing bearer token")
			return
		}
		if !rbac.Allowed(c.Roles, p) {
			writeError(w, http.StatusForbidden, "forbidden")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func unauthorized(w http.ResponseWriter, why string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="invoices"`)
	writeError(w, http.StatusUnauthorized, why)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
