// Command orders is a small example Go service, standard library only, that
// behaves the way the cdk8s-go-platform defaults expect: HTTP on PORT (8080),
// liveness on /healthz, readiness on /readyz, Prometheus metrics on /metrics,
// JSON logs on stdout, and a graceful shutdown on SIGTERM that fails
// readiness, waits SHUTDOWN_DELAY, then drains within SHUTDOWN_DRAIN_TIMEOUT.
//
// Run with -healthcheck URL it checks an endpoint instead and exits 0 when it
// answers 2xx: the Docker health check of images without a shell.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"example.com/orders/internal/metrics"
	"example.com/orders/internal/server"
)

// Set at build time with -ldflags "-X main.version=... -X main.revision=...".
var (
	version  = "dev"
	revision = "unknown"
)

func main() {
	healthcheck := flag.String("healthcheck", "", "check `url` and exit 0 when it answers 2xx")
	flag.Parse()
	if *healthcheck != "" {
		os.Exit(check(*healthcheck))
	}

	cfg, level, err := configFromEnv()
	if err != nil {
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("invalid configuration", "err", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})).With("service", "orders", "version", version)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	srv := server.New(cfg, log, metrics.New(version, revision, time.Now()))
	if err := srv.Run(ctx); err != nil {
		log.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// configFromEnv reads PORT, SHUTDOWN_DELAY, SHUTDOWN_DRAIN_TIMEOUT and LOG_LEVEL.
func configFromEnv() (server.Config, slog.Level, error) {
	cfg := server.Config{Port: 8080, ShutdownDelay: 5 * time.Second, DrainTimeout: 20 * time.Second}
	var errs []error
	if v, ok := os.LookupEnv("PORT"); ok {
		port, err := strconv.Atoi(v)
		if err != nil || port < 1 || port > 65535 {
			errs = append(errs, fmt.Errorf("PORT %q: want a port number from 1 to 65535", v))
		}
		cfg.Port = port
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"SHUTDOWN_DELAY", &cfg.ShutdownDelay}, {"SHUTDOWN_DRAIN_TIMEOUT", &cfg.DrainTimeout}} {
		if v, ok := os.LookupEnv(d.name); ok {
			parsed, err := time.ParseDuration(v)
			if err != nil || parsed < 0 {
				errs = append(errs, fmt.Errorf("%s %q: want a non-negative Go duration such as 5s", d.name, v))
			}
			*d.dst = parsed
		}
	}
	var level slog.Level
	if v, ok := os.LookupEnv("LOG_LEVEL"); ok {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	return cfg, level, errors.Join(errs...)
}

// check performs the health check of -healthcheck.
func check(url string) int {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintln(os.Stderr, "healthcheck:", resp.Status)
		return 1
	}
	return 0
}
