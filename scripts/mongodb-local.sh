#!/usr/bin/env bash
# A local MongoDB-wire server for the MongoDB store tests: FerretDB (Apache-2.0) with its embedded
# pure-Go SQLite backend, on a free loopback port, telemetry off. It is not MongoDB: a pass proves that
# the store speaks the MongoDB wire protocol and uses only widely supported features
# (docs/operations.md#store-backend).
#   scripts/mongodb-local.sh start   build FerretDB once (needs Go and the Go module proxy), start it or reuse
#                                    the one this script left running; prints the MONGO_URL value on its last line
#   scripts/mongodb-local.sh stop    stop it and remove its data
#   scripts/mongodb-local.sh url     the MONGO_URL of the running server (exit 1 when none runs)
# Env: MONGODB_LOCAL_DIR (server state: port, pid, data, log; default /tmp/rsync-ferretdb),
#      MONGODB_LOCAL_CACHE (the build, kept across runs; default ${XDG_CACHE_HOME:-~/.cache}/receipt-sync/ferretdb),
#      MONGODB_LOCAL_DB (database named in the printed URL; default receipt_sync_test),
#      MONGODB_LOCAL_POOL (maxPoolSize in the printed URL; default 10, see start()).
# Every failure names its step and prints the tail of the server log.
set -euo pipefail

FERRETDB_VERSION=v1.24.2
dir=${MONGODB_LOCAL_DIR:-/tmp/rsync-ferretdb}
cache=${MONGODB_LOCAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/receipt-sync/ferretdb}/$FERRETDB_VERSION
db=${MONGODB_LOCAL_DB:-receipt_sync_test}
pool=${MONGODB_LOCAL_POOL:-10}
bin=$cache/bin/ferretdb

fail() {
  echo "mongodb-local: $*" >&2
  [ -f "$dir/ferretdb.log" ] && { echo "--- $dir/ferretdb.log (tail)" >&2; tail -n 15 "$dir/ferretdb.log" >&2; }
  exit 1
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running() {
  [ -f "$dir/pid" ] && [ -f "$dir/port" ] || return 1
  kill -0 "$(cat "$dir/pid")" 2>/dev/null && listening "$(cat "$dir/port")"
}

url() { echo "mongodb://127.0.0.1:$(cat "$dir/port")/$db?maxPoolSize=$pool"; }

# `go install …@version` builds a binary that refuses to start (its build/version/version.txt is generated
# by FerretDB's release tooling), so the module's source is copied, given that file, and built in place.
build() {
  local built
  built=$([ -x "$bin" ] && "$bin" --version 2>/dev/null || true)
  case "$built" in *"version: $FERRETDB_VERSION"*) return 0 ;; esac
  command -v go >/dev/null || fail "Go is not installed: Go 1.21 or newer is needed (https://go.dev/dl/); it fetches the Go 1.24 toolchain FerretDB asks for from the module proxy (Debian 12 golang-go is 1.19, too old)"
  echo "mongodb-local: building FerretDB $FERRETDB_VERSION into $cache (once; about 1.5 min on 2 cores)" >&2
  local started src
  started=$(date +%s)
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || fail "go mod download of FerretDB $FERRETDB_VERSION failed"
  [ -d "$src" ] || fail "go mod download gave no source directory for FerretDB $FERRETDB_VERSION"
  rm -rf "$cache/src" "$cache/bin"
  mkdir -p "$cache/bin"
  cp -r "$src" "$cache/src"
  chmod -R u+w "$cache/src"
  echo "$FERRETDB_VERSION" >"$cache/src/build/version/version.txt"
  (cd "$cache/src" && GOTOOLCHAIN=${GOTOOLCHAIN:-auto} go build -buildvcs=false -trimpath -o "$bin" ./cmd/ferretdb) || fail "go build of FerretDB failed"
  rm -rf "$cache/src"
  echo "mongodb-local: FerretDB built in $(($(date +%s) - started)) s" >&2
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  if running; then
    echo "mongodb-local: reusing FerretDB on port $(cat "$dir/port") (pid $(cat "$dir/pid"))" >&2
    url
    return 0
  fi
  build
  rm -rf "$dir"
  mkdir -p "$dir/data"
  local port started
  port=$(free_port)
  started=$(date +%s)
  # setsid + nohup: the server outlives this script and the CI step's process group.
  # synchronous(OFF): a throwaway test server needs no fsync per write (its data dies with `stop`).
  # The printed URL caps each client at 10 connections: a FerretDB v1 update holds one SQLite connection
  # for its query while it takes another to write, so with more than 50 concurrent updates across clients
  # its pool of 100 runs dry and every request waits for ever.
  setsid nohup "$bin" --handler=sqlite --sqlite-url="file:$dir/data/?_pragma=synchronous(OFF)" --listen-addr="127.0.0.1:$port" \
    --state-dir="$dir" --debug-addr=- --telemetry=disable --log-level=${MONGODB_LOCAL_LOG_LEVEL:-warn} \
    >"$dir/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  echo "$port" >"$dir/port"
  for _ in $(seq 1 100); do
    listening "$port" && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || fail "FerretDB exited at start-up"
    sleep 0.1
  done
  listening "$port" || fail "FerretDB does not listen on 127.0.0.1:$port after 10 s"
  echo "mongodb-local: FerretDB $FERRETDB_VERSION (SQLite) on 127.0.0.1:$port, started in $(($(date +%s) - started)) s" >&2
  url
}

stop() {
  if [ -f "$dir/pid" ]; then
    local pid
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
  fi
  rm -rf "$dir"
  echo "mongodb-local: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) running && url || { echo "mongodb-local: not running" >&2; exit 1; } ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
