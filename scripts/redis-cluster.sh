#!/usr/bin/env bash
# A local Redis Cluster for the cluster tests: 3 masters + 3 replicas on loopback, no persistence.
#   scripts/redis-cluster.sh start   start six redis-server processes, create the cluster, wait for cluster_state:ok;
#                                    prints the REDIS_CLUSTER_NODES value on its last line
#   scripts/redis-cluster.sh stop    shut them down and remove their directories
#   scripts/redis-cluster.sh revive  restart nodes that are down (after a failover test); they rejoin as replicas
#   scripts/redis-cluster.sh status  cluster nodes as the first node sees them
# Env: REDIS_CLUSTER_BASE_PORT (ports BASE..BASE+5; unset = the first of 7001, 7101, … 7901 whose six ports and
#      cluster-bus ports are free or already hold a cluster this script started there),
#      REDIS_CLUSTER_DIR (default /tmp/rsync-redis-cluster; a fresh temporary directory when that one is not writable),
#      REDIS_CLUSTER_NODE_TIMEOUT_MS (default 2000: a stopped master is failed over within a few seconds),
#      REDIS_CLUSTER_NODES (revive, stop and status act on the ports it names, as start printed them).
# Every failure names its step and prints the tail of the node logs.
set -euo pipefail

dir=${REDIS_CLUSTER_DIR:-/tmp/rsync-redis-cluster}
timeout_ms=${REDIS_CLUSTER_NODE_TIMEOUT_MS:-2000}
ports=()

fail() {
  echo "redis-cluster: $*" >&2
  local log
  for log in "$dir"/*/redis.log "$dir/create.log"; do
    [ -f "$log" ] && { echo "--- $log (tail)" >&2; tail -n 15 "$log" >&2; }
  done
  exit 1
}

use_base() { ports=(); local i; for i in 0 1 2 3 4 5; do ports+=($(($1 + i))); done; }
nodes() { local out=() p; for p in "${ports[@]}"; do out+=("127.0.0.1:$p"); done; (IFS=,; echo "${out[*]}"); }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
cluster_ok() { redis-cli -p "${ports[0]}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }
six_nodes() { redis-cli -p "${ports[0]}" cluster info 2>/dev/null | grep -q '^cluster_known_nodes:6'; }

# Ports from REDIS_CLUSTER_NODES (as start printed them), else from REDIS_CLUSTER_BASE_PORT, else 7001.
ports_of_env() {
  if [ -n "${REDIS_CLUSTER_NODES:-}" ]; then
    local entry
    IFS=, read -r -a entries <<<"$REDIS_CLUSTER_NODES"
    for entry in "${entries[@]}"; do ports+=("${entry##*:}"); done
  else
    use_base "${REDIS_CLUSTER_BASE_PORT:-7001}"
  fi
}

# A running cluster this script started in $dir (each node's directory holds its nodes.conf).
ours_running() {
  local p
  cluster_ok && six_nodes || return 1
  for p in "${ports[@]}"; do [ -f "$dir/$p/nodes.conf" ] || return 1; done
}

ports_free() {
  local p
  for p in "${ports[@]}"; do
    if listening "$p" || listening $((p + 10000)); then return 1; fi
  done
}

choose_ports() {
  if [ -n "${REDIS_CLUSTER_BASE_PORT:-}" ]; then use_base "$REDIS_CLUSTER_BASE_PORT"; return 0; fi
  local base
  for base in 7001 7101 7201 7301 7401 7501 7601 7701 7801 7901; do
    use_base "$base"
    if ours_running || ports_free; then return 0; fi
    echo "redis-cluster: ports $base-$((base + 5)) are taken by something else; trying the next range" >&2
  done
  fail "no free range of six ports between 7001 and 7906"
}

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
  fail "timed out waiting for $what"
}

start_node() {
  redis-server --port "$1" --bind 127.0.0.1 --daemonize yes --dir "$dir/$1" --logfile "$dir/$1/redis.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$timeout_ms" \
    --save '' --appendonly no --pidfile "$dir/$1/redis.pid" || fail "redis-server on port $1 did not start"
}

# The directory of a running node's files (revive may run where REDIS_CLUSTER_DIR was a temporary one).
dir_of_running() {
  local p d
  for p in "${ports[@]}"; do
    d=$(redis-cli -p "$p" config get dir 2>/dev/null | sed -n 2p) && [ -n "$d" ] && { dirname "$d"; return 0; }
  done
  echo "$dir"
}

# Restarts nodes that are down (a test stopped a master) with their nodes.conf: they rejoin as replicas.
revive() {
  local p
  [ -n "${REDIS_CLUSTER_DIR:-}" ] || dir=$(dir_of_running)
  for p in "${ports[@]}"; do
    if ! redis-cli -p "$p" ping >/dev/null 2>&1; then
      [ -f "$dir/$p/nodes.conf" ] || fail "no state for port $p in $dir; run start"
      start_node "$p"
      wait_for "redis on port $p" 50 redis-cli -p "$p" ping >/dev/null
    fi
  done
  wait_for "cluster_state:ok" 150 cluster_ok
  wait_for "3 replicas in sync" 150 replicas_in_sync
  echo "redis-cluster: all six nodes up" >&2
}

start() {
  if ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
    dir=$(mktemp -d /tmp/rsync-redis-cluster.XXXXXX)
    echo "redis-cluster: ${REDIS_CLUSTER_DIR:-/tmp/rsync-redis-cluster} is not writable; using $dir" >&2
  fi
  choose_ports
  if ours_running; then
    revive
    echo "redis-cluster: already running on ports ${ports[0]}-${ports[5]}" >&2
    nodes
    return 0
  fi
  local p
  for p in "${ports[@]}"; do
    rm -rf "${dir:?}/$p"
    mkdir -p "$dir/$p"
    start_node "$p"
  done
  for p in "${ports[@]}"; do wait_for "redis on port $p" 50 redis-cli -p "$p" ping >/dev/null; done
  local addrs=()
  for p in "${ports[@]}"; do addrs+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
    fail "redis-cli --cluster create failed"
  wait_for "cluster_state:ok" 150 cluster_ok
  # Every node must agree before clients connect (a replica that has not yet seen the slot map redirects wrongly).
  for p in "${ports[@]}"; do
    wait_for "cluster_state:ok on $p" 150 sh -c "redis-cli -p $p cluster info | grep -q '^cluster_state:ok'"
  done
  # Failover tests need every master to have a replica that is in sync.
  wait_for "3 replicas in sync" 150 replicas_in_sync
  echo "redis-cluster: 3 masters + 3 replicas on ports ${ports[0]}-${ports[5]} (files in $dir)" >&2
  nodes
}

stop() {
  local p
  [ -n "${REDIS_CLUSTER_DIR:-}" ] || dir=$(dir_of_running)
  for p in "${ports[@]}"; do
    redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "${dir:?}/$p"
  done
  echo "redis-cluster: stopped" >&2
}

command -v redis-server >/dev/null || fail "redis-server is not installed (Debian: apt-get install redis-server)"
case "${1:-}" in
  start) start ;;
  stop) ports_of_env; stop ;;
  revive) ports_of_env; revive ;;
  status) ports_of_env; redis-cli -p "${ports[0]}" cluster nodes ;;
  *)
    echo "usage: $0 start|stop|revive|status" >&2
    exit 2
    ;;
esac
