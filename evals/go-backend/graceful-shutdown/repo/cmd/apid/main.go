// Command apid serves the API on :8080 and stops gracefully on SIGINT/SIGTERM.
package main

import (
	"context"
	"log"
	"net"
	"os/signal"
	"syscall"
	"time"

	"example.com/apid/internal/api"
	"example.com/apid/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", ":8080")
	if err != nil {
		log.Fatal(err)
	}
	s := &server.Server{Handler: api.Routes(), DrainDelay: 5 * time.Second, ShutdownTimeout: 25 * time.Second}
	if err := s.Serve(ctx, ln); err != nil {
		log.Fatal(err)
	}
}
