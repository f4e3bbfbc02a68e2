// Go code the scripted model "writes" into the ledger-service fixture.

export const BALANCE_HANDLER = `package api

import (
	"errors"
	"net/http"

	"example.com/ledger-service/ledger"
)

// handleBalance serves GET /accounts/balance?account=<id>.
func (s *Server) handleBalance(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		return
	}
	account := r.URL.Query().Get("account")
	cents, err := s.ledger.Balance(account)
	if errors.Is(err, ledger.ErrUnknownAccount) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": account, "balance_cents": cents})
}
`;

/** Expects 30 cents where the ledger holds 300: the first go test run fails. */
export const BALANCE_TEST_WRONG = `package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/ledger-service/ledger"
)

func TestBalance(t *testing.T) {
	l := ledger.New()
	l.Open("alice")
	if err := l.Deposit("alice", 300); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(l)
	tests := []struct {
		name    string
		account string
		status  int
		want    int64
	}{
		{"known", "alice", http.StatusOK, 30},
		{"unknown", "bob", http.StatusNotFound, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/accounts/balance?account="+tt.account, nil))
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			var body struct {
				BalanceCents int64 \`json:"balance_cents"\`
			}
			if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.BalanceCents != tt.want {
				t.Fatalf("balance_cents = %d, want %d", body.BalanceCents, tt.want)
			}
		})
	}
}
`;

/** The same test, expecting the right balance: passes. */
export const BALANCE_TEST = BALANCE_TEST_WRONG.replace("http.StatusOK, 30}", "http.StatusOK, 300}");

/** Registers the balance handler on the fixture's server. */
export const BALANCE_ROUTE_EDIT = {
  path: "api/server.go",
  old_string: '\ts.mux.HandleFunc("/healthz", s.handleHealth)\n',
  new_string:
    '\ts.mux.HandleFunc("/healthz", s.handleHealth)\n\ts.mux.HandleFunc("/accounts/balance", s.handleBalance)\n',
};
