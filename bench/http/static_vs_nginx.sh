#!/usr/bin/env bash
# Static file serving: pigweight vs nginx (the baseline), same files, same machine, same run.
# Prints requests/s for a 4 KB and a 1 MB file and the ratio pigweight/nginx (goal >= 0.8).
# Usage: bench/http/static_vs_nginx.sh [BUILD_DIR] [DURATION_S]
set -euo pipefail
BUILD=${1:-build/release}
DURATION=${2:-10}
BIN=$BUILD/src/app/pigweight
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
[[ -x $BIN ]] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx (scripts/bootstrap)" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() {
  [[ -n ${pw_pid:-} ]] && kill "$pw_pid" 2>/dev/null && wait "$pw_pid" 2>/dev/null || true
  [[ -f $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/www" "$tmp/data"
head -c 4096 /dev/urandom > "$tmp/www/small.bin"
head -c 1048576 /dev/urandom > "$tmp/www/large.bin"
chmod -R a+rX "$tmp"  # nginx workers run as www-data

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NGINX_PORT=$(free_port)
cat > "$tmp/nginx.conf" <<CONF
worker_processes $THREADS;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx-body;
  proxy_temp_path $tmp/nginx-proxy;
  fastcgi_temp_path $tmp/nginx-fastcgi;
  uwsgi_temp_path $tmp/nginx-uwsgi;
  scgi_temp_path $tmp/nginx-scgi;
  server { listen 127.0.0.1:$NGINX_PORT; root $tmp/www; }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp"

# pigweight with its access log on (as in production) but below the log level, like nginx's off.
PW_PORT=$(free_port)
LOG_LEVEL=warn IO_THREADS=$THREADS "$BIN" serve --host 127.0.0.1 --port "$PW_PORT" --data-dir "$tmp/data" \
  --web-dir "$tmp/www" --preload-model 0 > "$tmp/pw.log" 2>&1 &
pw_pid=$!
for _ in $(seq 200); do
  curl -sf -o /dev/null "http://127.0.0.1:$PW_PORT/healthz" && break
  sleep 0.05
done

# Requests/s of a wrk run; refuses runs with errors or non-2xx answers (they would flatter the server).
rps() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" "$1")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "errors in run against $1:" >&2; echo "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
printf "%-10s %14s %14s %8s\n" file "nginx req/s" "pigweight req/s" ratio
for f in small.bin large.bin; do
  cmp -s <(curl -sf "http://127.0.0.1:$NGINX_PORT/$f") "$tmp/www/$f" || { echo "nginx does not serve $f" >&2; exit 1; }
  cmp -s <(curl -sf "http://127.0.0.1:$PW_PORT/$f") "$tmp/www/$f" || { echo "pigweight does not serve $f" >&2; exit 1; }
  n=$(rps "http://127.0.0.1:$NGINX_PORT/$f")
  p=$(rps "http://127.0.0.1:$PW_PORT/$f")
  printf "%-10s %14s %14s %8.2f\n" "$f" "$n" "$p" "$(awk -v p="$p" -v n="$n" 'BEGIN {print p / n}')"
done
