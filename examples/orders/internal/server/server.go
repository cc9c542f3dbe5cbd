// Package server is the HTTP side of the orders service: the API, the
// health endpoints the platform probes, metrics, and a graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/orders/internal/metrics"
)

// Config is what the server reads from the environment.
type Config struct {
	// Port of the HTTP server (PORT, default 8080).
	Port int
	// ShutdownDelay is how long the server keeps serving after SIGTERM while
	// readiness fails, so endpoint removal reaches every proxy
	// (SHUTDOWN_DELAY, default 5s).
	ShutdownDelay time.Duration
	// DrainTimeout bounds http.Server.Shutdown (SHUTDOWN_DRAIN_TIMEOUT, default 20s).
	DrainTimeout time.Duration
}

// Server serves the orders API, /healthz, /readyz and /metrics.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics.Registry
	ready   atomic.Bool
	http    *http.Server

	mu     sync.Mutex
	orders []Order
	nextID int
}

// Order is one order of the example API.
type Order struct {
	ID       int    `json:"id"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// New returns a server that is not yet listening.
func New(cfg Config, log *slog.Logger, reg *metrics.Registry) *Server {
	s := &Server{cfg: cfg, log: log, metrics: reg, nextID: 1}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	mux.HandleFunc("GET /v1/orders", s.listOrders)
	mux.HandleFunc("POST /v1/orders", s.createOrder)
	s.http = &http.Server{
		Addr:              net.JoinHostPort("", strconv.Itoa(cfg.Port)),
		Handler:           s.instrument(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// Handler returns the instrumented handler, for tests.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// SetReady switches the readiness endpoint.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Run serves until ctx is cancelled (SIGTERM), then shuts down gracefully:
// readiness fails at once, the server keeps serving for ShutdownDelay, then
// stops accepting connections and drains in-flight requests for at most
// DrainTimeout. It returns nil after a clean drain.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.http.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.http.Addr, err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- s.http.Serve(ln) }()
	s.SetReady(true)
	s.log.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	s.SetReady(false)
	s.log.Info("shutdown requested: failing readiness", "delay", s.cfg.ShutdownDelay.String(), "drain_timeout", s.cfg.DrainTimeout.String())
	time.Sleep(s.cfg.ShutdownDelay)

	drainCtx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
	defer cancel()
	s.log.Info("draining in-flight requests")
	if err := s.http.Shutdown(drainCtx); err != nil {
		_ = s.http.Close()
		return fmt.Errorf("drain: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	s.log.Info("shutdown complete")
	return nil
}

// healthz is the liveness endpoint: the process is alive and serving. It
// checks no dependencies, so a slow database restarts nothing.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// readyz is the readiness endpoint: 503 before start and once shutdown began.
func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		writeText(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	writeText(w, http.StatusOK, "ready")
}

func (s *Server) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", metrics.ContentType)
	if _, err := s.metrics.WriteTo(w); err != nil {
		s.log.Warn("writing metrics", "err", err)
	}
}

func (s *Server) listOrders(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	orders := append([]Order(nil), s.orders...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"orders": orders})
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Item     string `json:"item"`
		Quantity int    `json:"quantity"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || in.Item == "" || in.Quantity < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"item\": \"...\", \"quantity\": >= 1}"})
		return
	}
	s.mu.Lock()
	order := Order{ID: s.nextID, Item: in.Item, Quantity: in.Quantity}
	s.nextID++
	s.orders = append(s.orders, order)
	s.mu.Unlock()
	s.log.Info("order created", "id", order.ID, "item", order.Item, "quantity", order.Quantity)
	writeJSON(w, http.StatusCreated, order)
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// knownMethods bounds the method label, as OpenTelemetry does.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodConnect: true, http.MethodOptions: true, http.MethodTrace: true,
}

// instrument records request metrics and logs each request. Probe and
// metrics requests are logged at debug level only.
func (s *Server) instrument(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		done := s.metrics.Begin()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		_, pattern := next.Handler(r)
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)

		method := r.Method
		if !knownMethods[method] {
			method = "_OTHER"
		}
		route := "unmatched"
		if pattern != "" {
			route = pattern
		}
		done(method, route, rec.code, elapsed)

		level := slog.LevelInfo
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "route", route, "status", rec.code, "duration_ms", elapsed.Milliseconds())
	})
}

func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
