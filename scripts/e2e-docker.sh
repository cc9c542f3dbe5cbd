#!/usr/bin/env bash
# End-to-end check of the generated Dockerfile with a real Docker engine:
# builds the example service (examples/orders) with the scratch runtime,
# runs it, checks /healthz, /readyz and /metrics, the UID, and that SIGTERM
# leads to a clean exit within the grace period; reports the image size.
#
# Needs no registry: the engine (Debian's docker.io, whose dockerd embeds
# BuildKit, so the cache mounts work) runs on its own socket and data root
# under a temporary folder, without a bridge or iptables (builds run with
# --network none); the builder base image is made from the host's Go
# toolchain (Debian packages) and a static busybox with `docker import`;
# containers use host networking and only 127.0.0.1. Everything it starts is
# stopped on exit.
#
# Exit codes: 0 passed, 1 failed, 3 skipped (no engine can run here).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SKIP=3
log() { printf '== %s\n' "$*"; }
die() { printf 'e2e-docker: FAIL: %s\n' "$*" >&2; exit 1; }
skip() { printf 'e2e-docker: SKIPPED: %s\n' "$*" >&2; exit "$SKIP"; }
START=$(date +%s)

[ "$(id -u)" = 0 ] || skip "needs root to install and start a Docker engine"

# --- tools -------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x /usr/sbin/dockerd ] || [ ! -x /usr/bin/docker ]; then
  log "installing docker.io"
  apt_install docker.io || skip "could not install docker.io"
fi
# Debian's client matches its engine; a newer client elsewhere on PATH may
# insist on a buildx plugin that is not installed.
DOCKER_BIN=/usr/bin/docker

# A Go toolchain new enough for the example (go.mod says 1.23): Debian
# bookworm has 1.19, bookworm-backports has newer ones.
GOROOT_HOST=
for v in 1.25 1.24 1.23; do
  if [ -x "/usr/lib/go-$v/bin/go" ]; then GOROOT_HOST=/usr/lib/go-$v; break; fi
done
if [ -z "$GOROOT_HOST" ]; then
  log "installing golang-1.23-go"
  if ! apt-cache show golang-1.23-go >/dev/null 2>&1; then
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    echo "deb http://deb.debian.org/debian ${codename}-backports main" > /etc/apt/sources.list.d/${codename}-backports.list
    apt_updated=
  fi
  apt_install -t "$(. /etc/os-release && echo "$VERSION_CODENAME")-backports" golang-1.23-go || skip "could not install a Go toolchain >= 1.23"
  GOROOT_HOST=/usr/lib/go-1.23
fi
if [ ! -x /bin/busybox ] || ! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
  log "installing busybox-static"
  apt_install busybox-static || skip "could not install busybox-static"
fi
command -v curl >/dev/null || apt_install curl

# --- engine ------------------------------------------------------------------
WORK=$(mktemp -d /tmp/e2e-docker.XXXXXX)
SOCK="$WORK/docker.sock"
DOCKERD_PID=
CONTAINER=e2e-orders-$$
docker() { DOCKER_HOST="unix://$SOCK" "$DOCKER_BIN" "$@"; }

cleanup() {
  set +e
  if [ -n "$DOCKERD_PID" ]; then
    docker rm -f "$CONTAINER" >/dev/null 2>&1
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$DOCKERD_PID" 2>/dev/null
  fi
  grep " $WORK/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

start_engine() {
  local driver=$1
  rm -rf "$WORK/data" "$WORK/exec"
  dockerd --host "unix://$SOCK" --data-root "$WORK/data" --exec-root "$WORK/exec" \
    --pidfile "$WORK/dockerd.pid" --bridge=none --iptables=false --ip6tables=false \
    --storage-driver "$driver" >"$WORK/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for _ in $(seq 1 60); do
    if docker version >/dev/null 2>&1; then return 0; fi
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  kill "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null
  DOCKERD_PID=
  return 1
}
log "starting dockerd ($WORK)"
if ! start_engine overlay2; then
  log "overlay2 unavailable, trying vfs"
  start_engine vfs || { tail -20 "$WORK/dockerd.log" >&2; skip "dockerd does not start here"; }
fi
log "engine $(docker version --format '{{.Server.Version}}') with storage driver $(docker info --format '{{.Driver}}')"

# --- builder image from the host's Go toolchain ------------------------------
GO_VERSION=$("$GOROOT_HOST/bin/go" env GOVERSION)
BUILDER="e2e/go-builder:${GO_VERSION#go}"
log "making $BUILDER from $GOROOT_HOST"
ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc/ssl/certs" "$ROOTFS/usr/share" "$ROOTFS/usr/lib" "$ROOTFS/root" "$ROOTFS/go"
install -d -m 1777 "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for tool in sh mkdir echo cp; do ln -s busybox "$ROOTFS/bin/$tool"; done
# Debian splits GOROOT between /usr/lib/go-1.N and /usr/share/go-1.N (symlinks).
cp -a "$GOROOT_HOST" "$ROOTFS/usr/lib/"
cp -a "/usr/share/$(basename "$GOROOT_HOST")" "$ROOTFS/usr/share/"
# What the scratch runtime stage copies out of the builder.
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$ROOTFS/usr/share/"
tar -C "$ROOTFS" -c . | docker import \
  --change "ENV PATH=$GOROOT_HOST/bin:/bin" \
  --change 'ENV HOME=/root' \
  --change 'ENV GOPATH=/go' \
  - "$BUILDER" >/dev/null

# --- build -------------------------------------------------------------------
CONTEXT="$WORK/context"
mkdir -p "$CONTEXT"
tar -C examples/orders --exclude=Dockerfile --exclude=.dockerignore -c . | tar -C "$CONTEXT" -x
SETTINGS=$(node --import tsx scripts/e2e-docker-dockerfile.ts "$CONTEXT")
setting() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$SETTINGS" "$1"; }
PORT=$(setting port); READY=$(setting readiness); LIVE=$(setting liveness); METRICS=$(setting metrics); GRACE=$(setting grace)

IMAGE=e2e/orders:e2e
log "building $IMAGE (scratch runtime, BuildKit)"
BUILD_START=$(date +%s)
DOCKER_BUILDKIT=1 docker build --progress=plain --network none \
  --build-arg "GO_IMAGE=$BUILDER" --build-arg VERSION=0.1.0-e2e --build-arg REVISION=e2e \
  -t "$IMAGE" "$CONTEXT" >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; die "docker build failed"; }
BUILD_SECONDS=$(( $(date +%s) - BUILD_START ))
grep -q -- '--mount=type=cache' "$CONTEXT/Dockerfile" || die "the Dockerfile has no cache mounts"
log "built in ${BUILD_SECONDS}s"

# A rebuild after a source-only change must reuse the dependency layer.
echo "// e2e $$" >> "$CONTEXT/cmd/orders/main.go"
DOCKER_BUILDKIT=1 docker build --progress=plain --network none --build-arg "GO_IMAGE=$BUILDER" -t "$IMAGE-rebuild" "$CONTEXT" >"$WORK/rebuild.log" 2>&1 \
  || { tail -40 "$WORK/rebuild.log" >&2; die "rebuild failed"; }
grep -A2 'go mod download' "$WORK/rebuild.log" | grep CACHED >/dev/null || die "go mod download was not cached on a source-only rebuild"
log "source-only rebuild reused the go mod download layer"

# --- run ---------------------------------------------------------------------
# Another port when the default is taken on this host.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi
DELAY=2
log "running $IMAGE on 127.0.0.1:$PORT (host network, read-only, no capabilities)"
docker run -d --name "$CONTAINER" --network host --read-only --tmpfs /tmp \
  --cap-drop ALL --security-opt no-new-privileges \
  -e PORT="$PORT" -e SHUTDOWN_DELAY="${DELAY}s" -e SHUTDOWN_DRAIN_TIMEOUT=10s -e LOG_LEVEL=info \
  "$IMAGE" >/dev/null

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do
  curl -fsS "$URL$LIVE" >/dev/null 2>&1 && break
  [ "$(docker inspect -f '{{.State.Running}}' "$CONTAINER")" = true ] || { docker logs "$CONTAINER" >&2; die "container exited"; }
  sleep 0.2
done
curl -fsS "$URL$LIVE" >/dev/null || die "$LIVE does not answer"
log "$LIVE: $(curl -fsS "$URL$LIVE")"
curl -fsS "$URL$READY" >/dev/null || die "$READY does not answer 2xx"
log "$READY: $(curl -fsS "$URL$READY")"
curl -fsS -X POST "$URL/v1/orders" -d '{"item":"tea","quantity":2}' >/dev/null || die "POST /v1/orders failed"
METRICS_TEXT=$(curl -fsS "$URL$METRICS") || die "$METRICS does not answer"
for series in \
  'http_requests_total{http_request_method="POST",http_route="POST /v1/orders",http_response_status_code="201"} 1' \
  'http_server_request_duration_seconds_bucket{' \
  'http_server_request_duration_seconds_count{' \
  'go_goroutines ' 'go_gc_duration_seconds_count ' 'go_memstats_heap_alloc_bytes ' \
  'orders_build_info{version="0.1.0-e2e",revision="e2e"'; do
  grep -qF "$series" <<<"$METRICS_TEXT" || die "$METRICS lacks $series"
done
log "$METRICS: $(grep -c '^[a-z]' <<<"$METRICS_TEXT") samples, contract series present"

PID=$(docker inspect -f '{{.State.Pid}}' "$CONTAINER")
UID_SEEN=$(awk '/^Uid:/{print $2}' "/proc/$PID/status")
GID_SEEN=$(awk '/^Gid:/{print $2}' "/proc/$PID/status")
[ "$UID_SEEN" = 65532 ] && [ "$GID_SEEN" = 65532 ] || die "process runs as $UID_SEEN:$GID_SEEN, want 65532:65532"
log "process runs as uid $UID_SEEN gid $GID_SEEN; image user $(docker image inspect -f '{{.Config.User}}' "$IMAGE")"
# The logs are read whole before they are inspected: piping `docker logs` into
# a reader that stops early (head, grep -q) kills it with SIGPIPE, which
# pipefail turns into a failure.
LOGS=$(docker logs "$CONTAINER" 2>&1)
node -e 'JSON.parse(process.argv[1])' "${LOGS%%$'\n'*}" || die "logs are not JSON"

# --- live metric contract (scripts/e2e-metric-contract.sh) -------------------
# Debian's Prometheus scrapes the running service through the stack's own job
# and relabeling, evaluates the stack's rules, and every metric and label the
# built-in alerts and dashboard use must be in what the service exports.
curl -fsS "$URL/v1/orders" >/dev/null || die "GET /v1/orders failed"
bash scripts/e2e-metric-contract.sh "127.0.0.1:$PORT" || die "the live metric contract failed"

# --- graceful shutdown -------------------------------------------------------
log "SIGTERM: readiness fails for SHUTDOWN_DELAY=${DELAY}s, then the server drains; grace period ${GRACE}s"
T0=$(date +%s.%N)
docker kill --signal TERM "$CONTAINER" >/dev/null
# Polled rather than slept on: readiness must turn 503 well within the delay,
# however busy the host is when the signal lands.
for _ in $(seq 1 15); do
  CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL$READY" || true)
  [ "$CODE" = 503 ] && break
  sleep 0.1
done
[ "$CODE" = 503 ] || die "$READY answered $CODE during the shutdown delay, want 503"
curl -fsS "$URL$LIVE" >/dev/null || die "$LIVE failed during the shutdown delay"
EXIT=$(timeout "$GRACE" "$DOCKER_BIN" -H "unix://$SOCK" wait "$CONTAINER") || die "no exit within ${GRACE}s"
T1=$(date +%s.%N)
STOP_SECONDS=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')
[ "$EXIT" = 0 ] || { docker logs "$CONTAINER" >&2; die "exit code $EXIT after SIGTERM"; }
LOGS=$(docker logs "$CONTAINER" 2>&1)
grep -qF '"msg":"shutdown complete"' <<<"$LOGS" || die "no 'shutdown complete' log line"
log "exited 0 after ${STOP_SECONDS}s (readiness 503 during the delay, liveness 200)"

SIZE=$(docker image inspect -f '{{.Size}}' "$IMAGE")
log "image $IMAGE: $SIZE bytes ($(awk -v s="$SIZE" 'BEGIN{printf "%.1f MiB", s/1048576}'))"
log "e2e-docker passed in $(( $(date +%s) - START ))s"
