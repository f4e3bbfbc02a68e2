package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func start(t *testing.T, s *Server) (base string, cancel context.CancelFunc, done chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), cancel, done
}

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body
}

func slowHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(400 * time.Millisecond)
		w.Write([]byte("finished"))
	})
	mux.HandleFunc("/fast", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	return mux
}

func TestHiddenHealthAndReadiness(t *testing.T) {
	s := &Server{Handler: slowHandler(), ShutdownTimeout: time.Second, Checks: map[string]Check{
		"db":    func(context.Context) error { return nil },
		"redis": func(context.Context) error { return errors.New("down") },
		"cache": func(context.Context) error { return errors.New("down") },
	}}
	base, _, _ := start(t, s)
	if code, body := get(t, base+"/healthz"); code != 200 || body["status"] != "ok" {
		t.Fatalf("/healthz: %d %v", code, body)
	}
	code, body := get(t, base+"/readyz")
	if code != 503 || body["status"] != "unavailable" || !reflect.DeepEqual(body["failing"], []any{"cache", "redis"}) {
		t.Fatalf("/readyz: %d %v, want 503 unavailable failing [cache redis]", code, body)
	}
	delete(s.Checks, "redis")
	delete(s.Checks, "cache")
	if code, body := get(t, base+"/readyz"); code != 200 || body["status"] != "ready" {
		t.Fatalf("/readyz with passing checks: %d %v", code, body)
	}
	if code, _ := get(t, base+"/fast"); code != 200 {
		t.Fatalf("/fast: %d", code)
	}
}

func TestHiddenReadyzDuringDrain(t *testing.T) {
	s := &Server{Handler: slowHandler(), DrainDelay: 500 * time.Millisecond, ShutdownTimeout: time.Second}
	base, cancel, done := start(t, s)
	get(t, base+"/healthz")
	cancel()
	time.Sleep(100 * time.Millisecond)
	code, body := get(t, base+"/readyz")
	if code != 503 || body["status"] != "shutting down" {
		t.Fatalf("/readyz during the drain: %d %v, want 503 shutting down", code, body)
	}
	if code, _ := get(t, base+"/fast"); code != 200 {
		t.Fatalf("requests during the drain: %d, want still served", code)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve after a clean shutdown: %v", err)
	}
}

func TestHiddenInFlightRequestFinishes(t *testing.T) {
	s := &Server{Handler: slowHandler(), ShutdownTimeout: 2 * time.Second}
	base, cancel, done := start(t, s)
	result := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			result <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		result <- string(b)
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if got := <-result; got != "finished" {
		t.Fatalf("in-flight request got %q, want finished", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

func TestHiddenShutdownTimeout(t *testing.T) {
	s := &Server{Handler: slowHandler(), ShutdownTimeout: 50 * time.Millisecond}
	base, cancel, done := start(t, s)
	go http.Get(base + "/slow")
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Serve returned nil although a request outlived ShutdownTimeout")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not return after ShutdownTimeout")
	}
}
