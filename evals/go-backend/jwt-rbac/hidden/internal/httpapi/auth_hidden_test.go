package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"example.com/invoices/internal/auth"
)

var cfg = auth.Config{Secret: []byte("s3cret-for-tests"), Issuer: "https://id.example.com", Audience: "invoices"}

func token(t *testing.T, method jwt.SigningMethod, key any, mod func(*auth.Claims)) string {
	t.Helper()
	c := auth.Claims{Roles: []string{"viewer"}, RegisteredClaims: jwt.RegisteredClaims{
		Subject:   "u-1",
		Issuer:    cfg.Issuer,
		Audience:  jwt.ClaimStrings{cfg.Audience},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
	}}
	if mod != nil {
		mod(&c)
	}
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(method, path, bearer string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	New(cfg).ServeHTTP(rec, req)
	return rec
}

func roles(r ...string) func(*auth.Claims) { return func(c *auth.Claims) { c.Roles = r } }

func TestHiddenRolesGrantAccess(t *testing.T) {
	viewer := token(t, jwt.SigningMethodHS256, cfg.Secret, roles("viewer"))
	editor := token(t, jwt.SigningMethodHS256, cfg.Secret, roles("editor"))
	admin := token(t, jwt.SigningMethodHS256, cfg.Secret, roles("admin"))
	cases := []struct {
		method, path, tok string
		want              int
	}{
		{"GET", "/invoices", viewer, 200},
		{"POST", "/invoices", viewer, 403},
		{"POST", "/invoices", editor, 201},
		{"DELETE", "/users/7", editor, 403},
		{"DELETE", "/users/7", admin, 204},
	}
	for _, c := range cases {
		if rec := do(c.method, c.path, c.tok); rec.Code != c.want {
			t.Errorf("%s %s: %d, want %d (%s)", c.method, c.path, rec.Code, c.want, rec.Body.String())
		}
	}
	if rec := do("POST", "/invoices", editor); !strings.Contains(rec.Body.String(), `"created_by":"u-1"`) {
		t.Errorf("the handler did not see the claims: %s", rec.Body.String())
	}
}

func TestHiddenInvalidTokens401(t *testing.T) {
	cases := map[string]string{
		"missing":    "",
		"garbage":    "not.a.token",
		"bad secret": token(t, jwt.SigningMethodHS256, []byte("other"), nil),
		"expired":    token(t, jwt.SigningMethodHS256, cfg.Secret, func(c *auth.Claims) { c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour)) }),
		"no exp":     token(t, jwt.SigningMethodHS256, cfg.Secret, func(c *auth.Claims) { c.ExpiresAt = nil }),
		"wrong iss":  token(t, jwt.SigningMethodHS256, cfg.Secret, func(c *auth.Claims) { c.Issuer = "https://evil.example" }),
		"wrong aud":  token(t, jwt.SigningMethodHS256, cfg.Secret, func(c *auth.Claims) { c.Audience = jwt.ClaimStrings{"billing"} }),
	}
	for name, tok := range cases {
		rec := do("GET", "/invoices", tok)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("%s: %d %q (WWW-Authenticate %q), want 401 with a JSON error and the header", name, rec.Code, rec.Body.String(), rec.Header().Get("WWW-Authenticate"))
		}
	}
}

func TestHiddenOnlyHS256(t *testing.T) {
	hs384 := token(t, jwt.SigningMethodHS384, cfg.Secret, roles("admin"))
	if rec := do("GET", "/invoices", hs384); rec.Code != http.StatusUnauthorized {
		t.Errorf("an HS384 token: %d, want 401", rec.Code)
	}
	none := token(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, roles("admin"))
	if rec := do("GET", "/invoices", none); rec.Code != http.StatusUnauthorized {
		t.Errorf("an alg:none token: %d, want 401", rec.Code)
	}
}
