// Package metrics keeps the service's metrics and writes them in the
// Prometheus text exposition format (version 0.0.4), using only the standard
// library.
//
// The names follow the platform's metric contract: OpenTelemetry HTTP server
// metric names as the Prometheus exporter writes them, and the Go runtime
// metrics of the client_golang Go collector.
package metrics

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DurationBuckets are the upper bounds, in seconds, of the request duration
// histogram: the OpenTelemetry defaults for http.server.request.duration.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// requestKey identifies one series of the HTTP metrics.
type requestKey struct {
	method string
	route  string
	code   int
}

// histogram is one series of the request duration histogram.
type histogram struct {
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

// Registry holds the HTTP server metrics of one process. The zero value is
// not usable; call New.
type Registry struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[requestKey]*histogram
	inFlight  int64
	started   time.Time
	version   string
	revision  string
}

// New returns an empty registry for a binary of the given version and revision.
func New(version, revision string, started time.Time) *Registry {
	return &Registry{
		requests:  make(map[requestKey]uint64),
		durations: make(map[requestKey]*histogram),
		started:   started,
		version:   version,
		revision:  revision,
	}
}

// Begin counts a request in flight and returns the function that records
// its end.
func (r *Registry) Begin() func(method, route string, code int, elapsed time.Duration) {
	r.mu.Lock()
	r.inFlight++
	r.mu.Unlock()
	return func(method, route string, code int, elapsed time.Duration) {
		r.observe(method, route, code, elapsed)
	}
}

func (r *Registry) observe(method, route string, code int, elapsed time.Duration) {
	key := requestKey{method: method, route: route, code: code}
	seconds := elapsed.Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlight--
	r.requests[key]++
	h, ok := r.durations[key]
	if !ok {
		h = &histogram{counts: make([]uint64, len(DurationBuckets))}
		r.durations[key] = h
	}
	// The first bucket whose upper bound is at least the observation; beyond
	// the last bound only +Inf (the total count) holds it.
	if i, _ := slices.BinarySearch(DurationBuckets, seconds); i < len(DurationBuckets) {
		h.counts[i]++
	}
	h.count++
	h.sum += seconds
}

// WriteTo writes every metric in the text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.writeHTTP(&b)
	writeRuntime(&b, r.started)
	header(&b, "orders_build_info", "gauge", "Version and revision of the running binary; always 1.")
	fmt.Fprintf(&b, "orders_build_info{version=%q,revision=%q,goversion=%q} 1\n", r.version, r.revision, runtime.Version())
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func (r *Registry) writeHTTP(b *strings.Builder) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]requestKey, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return a.code - b.code
	})

	header(b, "http_requests_total", "counter", "HTTP requests served, by method, route and status code.")
	for _, k := range keys {
		fmt.Fprintf(b, "http_requests_total{%s} %d\n", labels(k), r.requests[k])
	}

	header(b, "http_server_request_duration_seconds", "histogram", "Duration of HTTP server requests.")
	for _, k := range keys {
		h := r.durations[k]
		var cumulative uint64
		for i, le := range DurationBuckets {
			cumulative += h.counts[i]
			fmt.Fprintf(b, "http_server_request_duration_seconds_bucket{%s,le=%q} %d\n", labels(k), formatFloat(le), cumulative)
		}
		fmt.Fprintf(b, "http_server_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels(k), h.count)
		fmt.Fprintf(b, "http_server_request_duration_seconds_sum{%s} %s\n", labels(k), formatFloat(h.sum))
		fmt.Fprintf(b, "http_server_request_duration_seconds_count{%s} %d\n", labels(k), h.count)
	}

	header(b, "http_server_active_requests", "gauge", "HTTP server requests in flight.")
	fmt.Fprintf(b, "http_server_active_requests %d\n", r.inFlight)
}

// writeRuntime writes the Go runtime metrics the client_golang Go and process
// collectors export under the same names.
func writeRuntime(b *strings.Builder, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	header(b, "go_goroutines", "gauge", "Number of goroutines that currently exist.")
	fmt.Fprintf(b, "go_goroutines %d\n", runtime.NumGoroutine())

	header(b, "go_threads", "gauge", "Number of OS threads created.")
	threads, _ := runtime.ThreadCreateProfile(nil)
	fmt.Fprintf(b, "go_threads %d\n", threads)

	header(b, "go_gc_duration_seconds", "summary", "A summary of the pause duration of garbage collection cycles.")
	pauses := recentPauses(&ms)
	for _, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
		fmt.Fprintf(b, "go_gc_duration_seconds{quantile=%q} %s\n", formatFloat(q), formatFloat(quantile(pauses, q)))
	}
	fmt.Fprintf(b, "go_gc_duration_seconds_sum %s\n", formatFloat(float64(ms.PauseTotalNs)/1e9))
	fmt.Fprintf(b, "go_gc_duration_seconds_count %d\n", ms.NumGC)

	gauges := []struct {
		name, help string
		value      uint64
	}{
		{"go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", ms.HeapAlloc},
		{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", ms.HeapInuse},
		{"go_memstats_heap_objects", "Number of currently allocated objects.", ms.HeapObjects},
		{"go_memstats_sys_bytes", "Number of bytes obtained from the system.", ms.Sys},
		{"go_memstats_next_gc_bytes", "Number of heap bytes when the next garbage collection will take place.", ms.NextGC},
	}
	for _, g := range gauges {
		header(b, g.name, "gauge", g.help)
		fmt.Fprintf(b, "%s %d\n", g.name, g.value)
	}

	header(b, "go_info", "gauge", "Information about the Go environment.")
	fmt.Fprintf(b, "go_info{version=%q} 1\n", runtime.Version())

	header(b, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
	fmt.Fprintf(b, "process_start_time_seconds %s\n", formatFloat(float64(started.UnixNano())/1e9))
}

// recentPauses returns the pause times of the last (up to 256) collections,
// in seconds, sorted.
func recentPauses(ms *runtime.MemStats) []float64 {
	n := min(int(ms.NumGC), len(ms.PauseNs))
	pauses := make([]float64, 0, n)
	for i := range n {
		pauses = append(pauses, float64(ms.PauseNs[(int(ms.NumGC)-1-i+len(ms.PauseNs))%len(ms.PauseNs)])/1e9)
	}
	slices.Sort(pauses)
	return pauses
}

// quantile returns the q-quantile of sorted values, or 0 when there are none.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(math.Round(q*float64(len(sorted)-1)))]
}

func header(b *strings.Builder, name, kind, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

func labels(k requestKey) string {
	return fmt.Sprintf("http_request_method=%q,http_route=%q,http_response_status_code=%q", k.method, k.route, strconv.Itoa(k.code))
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}
