package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/orders/internal/metrics"
)

func newTestServer(cfg Config) *Server {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	return New(cfg, log, metrics.New("test", "abc", time.Unix(0, 0)))
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestProbes(t *testing.T) {
	s := newTestServer(Config{Port: 8080})
	if code := get(t, s.Handler(), "/healthz").Code; code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	if code := get(t, s.Handler(), "/readyz").Code; code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before start = %d, want 503", code)
	}
	s.SetReady(true)
	if code := get(t, s.Handler(), "/readyz").Code; code != http.StatusOK {
		t.Errorf("/readyz when ready = %d, want 200", code)
	}
}

func TestMetricsFollowTheContract(t *testing.T) {
	s := newTestServer(Config{Port: 8080})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/orders", strings.NewReader(`{"item":"tea","quantity":2}`)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /v1/orders = %d, want 201", rec.Code)
	}
	body := get(t, s.Handler(), "/metrics").Body.String()
	for _, want := range []string{
		`http_requests_total{http_request_method="POST",http_route="POST /v1/orders",http_response_status_code="201"} 1`,
		`http_server_request_duration_seconds_bucket{http_request_method="POST",http_route="POST /v1/orders",http_response_status_code="201",le="+Inf"} 1`,
		`http_server_request_duration_seconds_count{http_request_method="POST",http_route="POST /v1/orders",http_response_status_code="201"} 1`,
		"# TYPE http_server_request_duration_seconds histogram",
		"go_goroutines ",
		"go_gc_duration_seconds_count ",
		"go_memstats_heap_alloc_bytes ",
		`orders_build_info{version="test",revision="abc"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestShutdownFailsReadinessThenDrains(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	s := newTestServer(Config{Port: port, ShutdownDelay: 300 * time.Millisecond, DrainTimeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, func() bool { return status(url+"/readyz") == http.StatusOK })

	cancel()
	waitFor(t, func() bool { return status(url+"/readyz") == http.StatusServiceUnavailable })
	if code := status(url + "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz during the shutdown delay = %d, want 200", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
}

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 3s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
