#!/usr/bin/env bash
# A real Prometheus against the demo (run by .ci/run): starts `npm start` without configuration (the demo:
# simulators, every stage and the dashboard in one process; its /metrics is on the dashboard port, loopback,
# no login in local-only mode) and Debian's Prometheus with deploy/prometheus/receipt-sync.rules.yml, each on a
# free loopback port, then scripts/prometheus-check.mjs asks Prometheus's HTTP API that every metric the rules
# and the Grafana dashboard read is scraped and that ReceiptSyncDeadLettersGrowing fires once the demo
# dead-letters its receipts whose sales order is missing. Stops both and removes its Redis keys on exit.
# Bounded: the whole check gives up after PROM_CHECK_SECONDS (default 240).
# Usage: scripts/prometheus-check.sh   (needs prometheus on PATH, Redis on REDIS_URL or 127.0.0.1:6379)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
limit=${PROM_CHECK_SECONDS:-240}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
work=$(mktemp -d /tmp/rsync-promcheck.XXXXXX)
prefix="rsync-demo-promcheck-$$"
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
demo_pid=''
prom_pid=''

stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local code=$?
  stop "$prom_pid"
  stop "$demo_pid"
  if [ "$code" != 0 ]; then
    echo "--- demo log (last 40 lines)"; tail -n 40 "$work/demo.log" 2>/dev/null || true
    echo "--- prometheus log (last 20 lines)"; tail -n 20 "$work/prometheus.log" 2>/dev/null || true
  fi
  redis-cli -u "$redis_url" --scan --pattern "${prefix}*" 2>/dev/null | xargs -r -n 500 redis-cli -u "$redis_url" del >/dev/null || true
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT

dashboard_port=$(free_port)
webhook_port=$(free_port)
prom_port=$(free_port)

# The demo: no OKKI/K3Cloud variables; short order waits so missing orders dead-letter within seconds.
env -u REDIS_CLUSTER_NODES -u MONGO_URL -u XIAOMAN_BASE_URL -u XIAOMAN_CLIENT_ID -u XIAOMAN_CLIENT_SECRET -u KINGDEE_BASE_URL -u KINGDEE_ACCT_ID \
  -u KINGDEE_USERNAME -u KINGDEE_PASSWORD -u KINGDEE_APP_ID -u KINGDEE_APP_SECRET -u DASHBOARD_USERNAME \
  -u DASHBOARD_PASSWORD -u OTEL_EXPORTER_OTLP_ENDPOINT \
  REDIS_URL="$redis_url" QUEUE_PREFIX="$prefix" DASHBOARD_PORT="$dashboard_port" WEBHOOK_PORT="$webhook_port" \
  DEMO_RECEIPTS=200 DEMO_ORDERS=60 ORDER_WAIT_DELAYS=1,1 RETRY_BASE_DELAY_MS=200 RETRY_MAX_DELAY_MS=1000 LOG_LEVEL=warn \
  timeout "$limit" node --import tsx apps/service/src/supervisor.ts >"$work/demo.log" 2>&1 &
demo_pid=$!

cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $repo/deploy/prometheus/receipt-sync.rules.yml
scrape_configs:
  - job_name: receipt-sync-demo
    static_configs:
      - targets: ['127.0.0.1:$dashboard_port']
YAML
timeout "$limit" prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
prom_pid=$!

echo "prometheus-check: demo on 127.0.0.1:$dashboard_port, Prometheus on 127.0.0.1:$prom_port"
PROMETHEUS_URL="http://127.0.0.1:$prom_port" DEADLINE_SECONDS=$((limit - 30)) node scripts/prometheus-check.mjs
