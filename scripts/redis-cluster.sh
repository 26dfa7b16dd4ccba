#!/usr/bin/env bash
# A local Redis Cluster for the cluster tests: 3 masters + 3 replicas on loopback, no persistence.
#   scripts/redis-cluster.sh start   start six redis-server processes, create the cluster, wait for cluster_state:ok;
#                                    prints the REDIS_CLUSTER_NODES value on its last line
#   scripts/redis-cluster.sh stop    shut them down and remove their directories
#   scripts/redis-cluster.sh revive  restart nodes that are down (after a failover test); they rejoin as replicas
#   scripts/redis-cluster.sh status  cluster nodes as the first node sees them
# Env: REDIS_CLUSTER_BASE_PORT (default 7001; ports BASE..BASE+5), REDIS_CLUSTER_DIR (default /tmp/rsync-redis-cluster),
#      REDIS_CLUSTER_NODE_TIMEOUT_MS (default 2000: a stopped master is failed over within a few seconds).
# Starting an already running cluster is a no-op when it reports cluster_state:ok.
set -euo pipefail

base=${REDIS_CLUSTER_BASE_PORT:-7001}
dir=${REDIS_CLUSTER_DIR:-/tmp/rsync-redis-cluster}
timeout_ms=${REDIS_CLUSTER_NODE_TIMEOUT_MS:-2000}
ports=()
for i in 0 1 2 3 4 5; do ports+=($((base + i))); done
nodes() { local out=() p; for p in "${ports[@]}"; do out+=("127.0.0.1:$p"); done; (IFS=,; echo "${out[*]}"); }

cluster_ok() { redis-cli -p "${ports[0]}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

replicas_in_sync() {
  local n=0 p
  for p in "${ports[@]}"; do
    redis-cli -p "$p" info replication 2>/dev/null | grep -q '^master_link_status:up' && n=$((n + 1))
  done
  [ "$n" = 3 ]
}

wait_for() {
  local what=$1 tries=$2; shift 2
  for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.2; done
  echo "redis-cluster: timed out waiting for $what" >&2
  return 1
}

start_node() {
  redis-server --port "$1" --bind 127.0.0.1 --daemonize yes --dir "$dir/$1" --logfile "$dir/$1/redis.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$timeout_ms" \
    --save '' --appendonly no --pidfile "$dir/$1/redis.pid"
}

# Restarts nodes that are down (a test stopped a master) with their nodes.conf: they rejoin as replicas.
revive() {
  local p
  for p in "${ports[@]}"; do
    if ! redis-cli -p "$p" ping >/dev/null 2>&1; then
      [ -f "$dir/$p/nodes.conf" ] || { echo "redis-cluster: no state for port $p; run start" >&2; return 1; }
      start_node "$p"
      wait_for "redis on port $p" 50 redis-cli -p "$p" ping >/dev/null
    fi
  done
  wait_for "cluster_state:ok" 150 cluster_ok
  wait_for "3 replicas in sync" 150 replicas_in_sync
  echo "redis-cluster: all six nodes up" >&2
}

start() {
  if cluster_ok && [ "$(redis-cli -p "${ports[0]}" cluster info | grep -c '^cluster_known_nodes:6')" = 1 ]; then
    revive
    echo "redis-cluster: already running on ports ${ports[0]}-${ports[5]}" >&2
    nodes
    return 0
  fi
  for p in "${ports[@]}"; do
    mkdir -p "$dir/$p"
    redis-cli -p "$p" ping >/dev/null 2>&1 && redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
    rm -f "$dir/$p/nodes.conf"
    start_node "$p"
  done
  for p in "${ports[@]}"; do wait_for "redis on port $p" 50 redis-cli -p "$p" ping >/dev/null; done
  local addrs=()
  for p in "${ports[@]}"; do addrs+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log"
  wait_for "cluster_state:ok" 150 cluster_ok
  # Every node must agree before clients connect (a replica that has not yet seen the slot map redirects wrongly).
  for p in "${ports[@]}"; do
    wait_for "cluster_state:ok on $p" 150 sh -c "redis-cli -p $p cluster info | grep -q '^cluster_state:ok'"
  done
  # Failover tests need every master to have a replica that is in sync.
  wait_for "3 replicas in sync" 150 replicas_in_sync
  echo "redis-cluster: 3 masters + 3 replicas on ports ${ports[0]}-${ports[5]}" >&2
  nodes
}

stop() {
  for p in "${ports[@]}"; do
    redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$dir"
  echo "redis-cluster: stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  revive) revive ;;
  status) redis-cli -p "${ports[0]}" cluster nodes ;;
  *)
    echo "usage: $0 start|stop|revive|status" >&2
    exit 2
    ;;
esac
