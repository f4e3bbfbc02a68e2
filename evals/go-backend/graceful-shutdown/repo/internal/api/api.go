// Package api is the service's business endpoints.
package api

import (
	"encoding/json"
	"net/http"
	"time"
)

// Routes returns the API handler. GET /slow?ms=N answers after N milliseconds (a report query).
func Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("ms") + "ms")
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"report": "done"})
	})
	return mux
}
