#!/usr/bin/env bash
# Gateway throughput with the guards on vs off, in the same run: two
# `rampart gateway serve` processes (threads 1, access log and audit off) in
# front of the same nginx upstream (a fixed OpenAI-shaped JSON answer), one
# with `gateway.guards: {}` (rules, output guards, canary) plus the classifier
# when a model is given, one without a guards section. wrk -t2 -c32 POSTs a
# ~1 KB chat prompt; prints requests/s of each, the ratio, and CPU per request.
# Usage: bench/guards/gateway.sh BUILD_DIR [MODEL]    (about 30 seconds)
#   GUARDS_BENCH_SECONDS (default 8)
set -euo pipefail
BUILD=${1:-build}
MODEL=${2:-}
RAMPART=$(realpath "$BUILD/rampart")
[ -x "$RAMPART" ] || { echo "bench/guards: $RAMPART missing; build first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench/guards: wrk is not installed" >&2; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/guards: nginx is not installed" >&2; exit 2; }
DURATION=${GUARDS_BENCH_SECONDS:-8}
[ -z "$MODEL" ] || MODEL=$(realpath "$MODEL")

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench/guards: nothing listens on $1" >&2
  exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

UP=$(free_port); GW_OFF=$(free_port); GW_ON=$(free_port)
BODY='{"id":"bench","object":"chat.completion","created":0,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris. Contact: support@example.org."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}'
mkdir -p "$work/up"
cat >"$work/up/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $work/up/nginx.pid; error_log $work/up/error.log;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; client_body_temp_path $work/up;
  proxy_temp_path $work/up; fastcgi_temp_path $work/up; uwsgi_temp_path $work/up; scgi_temp_path $work/up;
  server { listen 127.0.0.1:$UP; location / { default_type application/json; return 200 '$BODY'; } }
}
EOF
"$NGINX" -p "$work/up" -c "$work/up/nginx.conf" 2>/dev/null & pids+=($!)

estate() {  # $1 dir, $2 port, $3 guards section
  mkdir -p "$1"
  cat >"$1/estate.yaml" <<EOF
version: 1
name: bench
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [bench-model]}
    upstream: http://127.0.0.1:$UP
identities:
  - {name: gateway-sa, kind: workload}
  - {name: bench-client, kind: api-client}
gateway:
  listen: 127.0.0.1:$2
  threads: 1
  auth: {keys_file: $work/keys.json}
  access:
    - {identities: [bench-client], models: [bench-model], routes: [chat]}
  rate_limits:
    identities:
      bench-client: {requests_per_second: 1000000, burst: 1000000, max_concurrent: 100000,
                     tokens_per_minute: 1000000000000}
  audit: {enabled: false}
  access_log: off
$3
EOF
}
estate "$work/off" "$GW_OFF" ""
if [ -n "$MODEL" ]; then
  estate "$work/on" "$GW_ON" "  guards: {classifier: {model: $MODEL}}"
else
  estate "$work/on" "$GW_ON" "  guards: {}"
fi
KEY=$("$RAMPART" gateway keys create --identity bench-client --estate "$work/off/estate.yaml" 2>"$work/keys.err") || { cat "$work/keys.err" >&2; exit 1; }
"$RAMPART" --log-level warn gateway serve --estate "$work/off/estate.yaml" --var-dir "$work/off/var" >"$work/off.log" 2>&1 & OFF=$!; pids+=($OFF)
"$RAMPART" --log-level warn gateway serve --estate "$work/on/estate.yaml" --var-dir "$work/on/var" >"$work/on.log" 2>&1 & ON=$!; pids+=($ON)
wait_port "$UP"; wait_port "$GW_OFF"; wait_port "$GW_ON"

PROMPT="Please summarise the following meeting notes for the quarterly planning review. The team discussed the migration of the billing service to the new cluster, the timeline for the security audit, and the hiring plan for the second half of the year. Action items: Alice drafts the migration runbook, Bob schedules the audit kickoff with the external firm, and Carol updates the headcount spreadsheet. Open questions remain about the budget for the observability tooling and whether the on-call rotation should change after the migration. Keep the summary under one hundred words and list the action items with their owners."
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"bench-model","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"$PROMPT"}],"max_tokens":64}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
EOF
for p in $GW_OFF $GW_ON; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"$PROMPT\"}]}" "http://127.0.0.1:$p/v1/chat/completions")
  [ "$code" = 200 ] || { echo "bench/guards: port $p answered $code" >&2; cat "$work"/*.log >&2; exit 1; }
done
rps() { awk '/Requests\/sec/ {print $2}'; }
total() { awk '/requests in/ {print $1}'; }
run() {  # $1 port, $2 pid -> "rps us_per_req"
  local c0 c1 out
  c0=$(cpu_ticks "$2")
  out=$(wrk -t2 -c32 -d"${DURATION}s" -s "$work/post.lua" "http://127.0.0.1:$1/v1/chat/completions")
  c1=$(cpu_ticks "$2")
  echo "$(echo "$out" | rps) $(awk -v t=$((c1 - c0)) -v n="$(echo "$out" | total)" -v k="$tck" 'BEGIN{printf "%.1f", t / k * 1e6 / n}')"
}
echo "gateway throughput, guards on vs off: wrk -t2 -c32 -d${DURATION}s, ${#PROMPT}-byte prompt, threads 1 each"
echo "  guards on: rules, output guards (secrets redact, personal data flag), canary${MODEL:+, classifier $MODEL}; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c32 -d1s -s "$work/post.lua" "http://127.0.0.1:$GW_OFF/v1/chat/completions" >/dev/null
wrk -t2 -c32 -d1s -s "$work/post.lua" "http://127.0.0.1:$GW_ON/v1/chat/completions" >/dev/null
read -r r_off u_off <<<"$(run "$GW_OFF" "$OFF")"
read -r r_on u_on <<<"$(run "$GW_ON" "$ON")"
printf '  guards off (baseline): %9.0f requests/s, %s us CPU per request\n' "$r_off" "$u_off"
printf '  guards on:             %9.0f requests/s, %s us CPU per request; ratio on/off = %.2f\n' \
  "$r_on" "$u_on" "$(awk -v a="$r_on" -v b="$r_off" 'BEGIN{print a/b}')"
