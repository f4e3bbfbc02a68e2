// Package server runs the HTTP server with health endpoints and a graceful shutdown.
package server

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Check is a readiness dependency check (the database, the cache).
type Check func(ctx context.Context) error

// Server serves Handler plus GET /healthz and GET /readyz.
type Server struct {
	Handler http.Handler
	// Checks run on every /readyz, by name.
	Checks map[string]Check
	// DrainDelay is how long /readyz reports 503 before the listener closes, so the load
	// balancer stops sending traffic first.
	DrainDelay time.Duration
	// ShutdownTimeout bounds how long in-flight requests may take to finish.
	ShutdownTimeout time.Duration
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return srv.Serve(ln)
}
