#!/usr/bin/env bash
# Static checks for the container deployment (no Docker engine needed):
#   1. docker-compose.yml parses with docker-compose (Debian 1.29 or newer), plain, with the simulators
#      profile + override and with the observability and push profiles, using deploy/receipt-sync.env.example (and deploy/receipt-sync.env when present);
#   2. deploy/redis.conf loads in a real redis-server and yields appendonly=yes, maxmemory-policy=noeviction
#      (skipped with a note when redis-server is not installed);
#   3. the Dockerfile passes a grep-level lint (named stages, non-root final stage, init, healthcheck, prod deps);
#   4. .dockerignore keeps node_modules, .git and secrets out of the build context;
#   5. deploy/healthcheck.js is valid JavaScript;
#   6. package-lock.json lists every workspace (else the image's `npm ci` fails).
# Usage: scripts/validate-compose.sh   (exit 0 = all good; prints every failure, exits 1)
# No `set -e`: every check runs and reports; failures are counted and decide the exit code.
set -uo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }

ensure_docker_compose() {
  if command -v docker-compose >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "docker-compose not found; installing Debian's docker-compose with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y docker-compose >&2 ||
      { echo "apt-get install -y docker-compose failed" >&2; exit 1; }
    return 0
  fi
  echo "docker-compose is not installed. Install it (Debian: sudo apt-get install -y docker-compose), then re-run." >&2
  exit 1
}

compose_check() { # <label> <env file> <compose args...>
  local label=$1 env_file=$2
  shift 2
  local out
  if out=$(RECEIPT_SYNC_ENV_FILE="$env_file" docker-compose "$@" config -q 2>&1); then
    ok "compose parses: $label"
  else
    fail "compose ($label): $out"
  fi
}

# --- 1. compose ---------------------------------------------------------------------------------------------
ensure_docker_compose
env_files=(deploy/receipt-sync.env.example)
[ -f deploy/receipt-sync.env ] && env_files+=(deploy/receipt-sync.env)
for env_file in "${env_files[@]}"; do
  compose_check "docker-compose.yml with $env_file" "$env_file" -f docker-compose.yml
  compose_check "simulators profile + override with $env_file" "$env_file" \
    -f docker-compose.yml -f deploy/compose.simulators.yml --profile simulators
  compose_check "MongoDB override with $env_file" "$env_file" -f docker-compose.yml -f deploy/compose.mongodb.yml
  compose_check "observability and push profiles with $env_file" "$env_file" \
    -f docker-compose.yml --profile observability --profile push
done

# --- 2. redis.conf in a real redis-server --------------------------------------------------------------------
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  # Port 0 = no TCP listener; a unix socket in a scratch dir, which is also the working dir (AOF lands there).
  (cd "$tmp" && exec redis-server "$repo/deploy/redis.conf" --port 0 --unixsocket "$tmp/redis.sock" --daemonize no >"$tmp/log" 2>&1) &
  redis_pid=$!
  for _ in $(seq 1 50); do
    [ -S "$tmp/redis.sock" ] && break
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -S "$tmp/redis.sock" ]; then
    aof=$(redis-cli -s "$tmp/redis.sock" config get appendonly | tail -n 1)
    policy=$(redis-cli -s "$tmp/redis.sock" config get maxmemory-policy | tail -n 1)
    [ "$aof" = "yes" ] && ok "redis.conf: appendonly yes" || fail "redis.conf: appendonly is '$aof', want yes"
    [ "$policy" = "noeviction" ] && ok "redis.conf: maxmemory-policy noeviction" || fail "redis.conf: maxmemory-policy is '$policy', want noeviction"
    redis-cli -s "$tmp/redis.sock" shutdown nosave >/dev/null 2>&1 || true
  else
    fail "redis.conf: redis-server did not start with it: $(tail -n 3 "$tmp/log" | tr '\n' ' ')"
  fi
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$tmp"
else
  echo "note: redis-server not installed; deploy/redis.conf not loaded (jest test/deploy still checks its text)"
fi

# --- 3. Dockerfile lint --------------------------------------------------------------------------------------
dockerfile=Dockerfile
from_lines=$(grep -Ei '^FROM[[:space:]]' "$dockerfile" || true)
[ -n "$from_lines" ] || fail "Dockerfile: no FROM"
unnamed=$(echo "$from_lines" | grep -Eiv '[[:space:]]AS[[:space:]]+[a-z0-9_.-]+[[:space:]]*$' || true)
[ -z "$unnamed" ] && ok "Dockerfile: every stage is named" || fail "Dockerfile: unnamed stage(s): $unnamed"
dupes=$(echo "$from_lines" | grep -Ei '[[:space:]]AS[[:space:]]' | awk '{print tolower($NF)}' | sort | uniq -d)
[ -z "$dupes" ] || fail "Dockerfile: duplicate stage names: $dupes"
# Everything after the last FROM is the final (runtime) stage.
final_stage=$(awk 'toupper($1)=="FROM"{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$dockerfile")
final_user=$(echo "$final_stage" | grep -Ei '^USER[[:space:]]' | tail -n 1 | awk '{print $2}')
if [ -z "$final_user" ]; then fail "Dockerfile: final stage sets no USER (runs as root)"
elif [ "$final_user" = "root" ] || [ "$final_user" = "0" ]; then fail "Dockerfile: final stage runs as $final_user"
else ok "Dockerfile: final stage runs as '$final_user'"; fi
check_final() { # <extended regex> <what it means>
  if echo "$final_stage" | grep -Eq "$1"; then ok "Dockerfile: $2"; else fail "Dockerfile: final stage lacks $2"; fi
}
check_final '^HEALTHCHECK[[:space:]]' "a HEALTHCHECK"
check_final '^ENTRYPOINT.*(dumb-init|tini)' "an init process (dumb-init/tini) as ENTRYPOINT"
check_final 'npm ci .*--omit=dev' "production-only deps (npm ci --omit=dev)"
check_final '^ENV[[:space:]].*NODE_ENV=production' "NODE_ENV=production"
check_final '^ARG[[:space:]]+APP' "the APP build arg"
check_final 'dist/\$\{?APP\}?\.js' "a CMD running dist/\$APP.js"
if echo "$final_stage" | grep -Eq '^COPY[[:space:]]+(--chown=[^[:space:]]+[[:space:]]+)?\.[[:space:]]'; then
  fail "Dockerfile: final stage copies the whole build context"
fi
if grep -Eiq '^ADD[[:space:]]+https?://' "$dockerfile"; then fail "Dockerfile: ADD of a URL (unpinned download)"; fi

# --- 4. .dockerignore ----------------------------------------------------------------------------------------
for pattern in 'node_modules' '.git' 'deploy/*.env' '.env' 'bench-results' 'test'; do
  if grep -Eq "^(\*\*/)?$(printf '%s' "$pattern" | sed 's/[.*]/\\&/g')/?$" .dockerignore; then
    ok ".dockerignore excludes $pattern"
  else
    fail ".dockerignore does not exclude $pattern"
  fi
done

# --- 5. healthcheck script -----------------------------------------------------------------------------------
node --check deploy/healthcheck.js && ok "deploy/healthcheck.js parses" || fail "deploy/healthcheck.js has a syntax error"

# --- 6. lockfile knows every workspace ----------------------------------------------------------------------
# The image's `npm ci` refuses a lockfile that lacks a workspace (a package added after the last `npm install`).
if stale=$(node -e '
  const fs = require("fs"); const path = require("path");
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages || {};
  const stale = [];
  for (const root of ["apps", "packages"]) {
    for (const dir of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const file = path.join(root, dir, "package.json");
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
      const entry = lock[root + "/" + dir];
      if (!entry || entry.name !== pkg.name || (entry.version || "") !== (pkg.version || "")) stale.push(root + "/" + dir);
    }
  }
  process.stdout.write(stale.join(" "));
'); [ -z "$stale" ]; then
  ok "package-lock.json lists every workspace"
else
  fail "package-lock.json is missing or out of date for: ${stale} (run \`npm install --no-audit --no-fund\` at the root; the image's npm ci fails otherwise)"
fi

if [ "$failures" -gt 0 ]; then
  echo "validate-compose: $failures check(s) failed" >&2
  exit 1
fi
echo "validate-compose: all checks passed"
