#!/usr/bin/env bash
# Gateway benchmark, every figure next to its baseline from the same run:
#   upstream  nginx serving a fixed OpenAI-shaped JSON body (the fast upstream)
#   baseline  nginx as a plain reverse proxy (proxy_pass, keep-alive upstream)
#   gateway   rampart serve (gateway + in-process ledger): API key, per-model
#             authorization, rate limits (high, so none refuses) and the audit
#             trail on (access.summary batches into the ledger); access log off
# Prints throughput (wrk -t2 -c64, 3 interleaved rounds, medians), the ratio gateway/nginx, added latency at
# concurrency 1 (p50/p99 over the direct upstream), the gateway's own time at
# concurrency 1 as it measures it (rampart_gateway_own_duration_seconds over
# one round, from /metrics), and the gateway's peak RSS
# (VmHWM) after its first requests and after >= 1,000,000 requests, and the
# system calls each proxy makes per request (perf stat, when perf is there).
# Then HTTP/2 (h2load, cleartext prior knowledge: nginx `listen ... http2`
# proxy_pass vs the gateway's h2c) and gRPC (h2load ModelInfer calls: nginx
# grpc_pass with upstream keep-alive vs the gateway's gRPC pass-through, both
# to the same h2c upstream,
# an nghttpd answering every call with one message and grpc-status 0).
# Then HTTP/1.1 over TLS (wrk over https: nginx `listen ... ssl` proxy_pass vs
# the gateway terminating TLS 1.3; interleaved rounds, medians, CPU per request).
# Both proxies get one worker (nginx worker_processes 1, gateway threads: 1).
# Usage: bench/gateway/run.sh BUILD_DIR       (about 5 minutes)
#   GATEWAY_BENCH_SECONDS, GATEWAY_BENCH_RSS_REQUESTS, GATEWAY_BENCH_PERF=perf.data
#   GATEWAY_BASELINE_REF=<commit>: also build that commit's `rampart` (in a
#     git worktree under GATEWAY_BASELINE_DIR, default
#     <repo>/.bench-baseline/<commit>; kept, so a second run only rebuilds
#     what changed; `nice ninja -j${GATEWAY_BASELINE_JOBS:-2}`) and run the same
#     HTTP/1.1 load against it and this build, interleaved in the same run:
#     requests/s, CPU per request and latency at c=1, with the ratio
#     this/baseline. Issue 11's baseline is the commit before the gateway
#     moved onto core/http: GATEWAY_BASELINE_REF=ef93538^
#   GATEWAY_BASELINE_BIN=<path to a rampart binary>: the same comparison
#     against a binary already built (no worktree, no build)
set -euo pipefail
BUILD=${1:-build}
RAMPART=$(realpath "$BUILD/rampart")
[ -x "$RAMPART" ] || { echo "bench/gateway: $RAMPART missing; build first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench/gateway: wrk is not installed" >&2; exit 2; }
command -v h2load >/dev/null || { echo "bench/gateway: h2load (nghttp2-client) is not installed" >&2; exit 2; }
command -v nghttpd >/dev/null || { echo "bench/gateway: nghttpd (nghttp2-server) is not installed" >&2; exit 2; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/gateway: nginx is not installed" >&2; exit 2; }
DURATION=${GATEWAY_BENCH_SECONDS:-5}
RSS_REQUESTS=${GATEWAY_BENCH_RSS_REQUESTS:-1000000}

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
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench/gateway: nothing listens on $1" >&2
  exit 1
}

UP=$(free_port); PROXY=$(free_port); GW=$(free_port); ADMIN=$(free_port)
H2PROXY=$(free_port); GRPCUP=$(free_port); GRPCPROXY=$(free_port)
BODY='{"id":"bench","object":"chat.completion","created":0,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}'

mkdir -p "$work/nginx-up" "$work/nginx-proxy"
TLSPROXY=$(free_port)
command -v openssl >/dev/null || { echo "bench/gateway: openssl is not installed" >&2; exit 2; }
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/tls/server.key" -out "$work/tls/server.pem" 2>"$work/tls/openssl.err" ||
  { cat "$work/tls/openssl.err" >&2; exit 1; }
cat >"$work/nginx-up/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $work/nginx-up/nginx.pid; error_log $work/nginx-up/error.log;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; client_body_temp_path $work/nginx-up;
  proxy_temp_path $work/nginx-up; fastcgi_temp_path $work/nginx-up; uwsgi_temp_path $work/nginx-up;
  scgi_temp_path $work/nginx-up;
  server { listen 127.0.0.1:$UP; location / { default_type application/json; return 200 '$BODY'; } }
}
EOF
cat >"$work/nginx-proxy/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $work/nginx-proxy/nginx.pid; error_log $work/nginx-proxy/error.log;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000; client_body_temp_path $work/nginx-proxy;
  proxy_temp_path $work/nginx-proxy; fastcgi_temp_path $work/nginx-proxy; uwsgi_temp_path $work/nginx-proxy;
  scgi_temp_path $work/nginx-proxy;
  upstream up { server 127.0.0.1:$UP; keepalive 128; }
  server { listen 127.0.0.1:$PROXY;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$H2PROXY http2;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$TLSPROXY ssl;
    ssl_certificate $work/tls/server.pem; ssl_certificate_key $work/tls/server.key; ssl_protocols TLSv1.3;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  upstream grpcup { server 127.0.0.1:$GRPCUP; keepalive 128; }
  server { listen 127.0.0.1:$GRPCPROXY http2;
    location / { grpc_pass grpc://grpcup; } }
}
EOF
"$NGINX" -p "$work/nginx-up" -c "$work/nginx-up/nginx.conf" 2>/dev/null & pids+=($!)
# The gRPC upstream (nginx's `return` sends no trailers): nghttpd in
# cleartext h2 answering every ModelInfer with one 2-byte message and
# grpc-status 0 in the trailers.
mkdir -p "$work/grpc-root/inference.GRPCInferenceService"
printf '\x00\x00\x00\x00\x02ok' >"$work/grpc-root/inference.GRPCInferenceService/ModelInfer"
nghttpd --no-tls -d "$work/grpc-root" --trailer='grpc-status: 0' "$GRPCUP" >/dev/null 2>&1 & pids+=($!)
"$NGINX" -p "$work/nginx-proxy" -c "$work/nginx-proxy/nginx.conf" 2>/dev/null & NGXPROXY=$!; pids+=($NGXPROXY)

cat >"$work/estate.yaml" <<EOF
version: 1
name: bench
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
  - {name: ops, kind: mlops, cidrs: [10.1.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [bench-model]}
    upstream: http://127.0.0.1:$UP
  - name: triton
    zone: dmz
    kind: inference
    inference: {protocol: kserve-v2, models: [bench-model]}
    upstream: http://127.0.0.1:$UP
  - {name: ledger, zone: ops, kind: ledger, ports: [tcp/7000]}
identities:
  - {name: gateway-sa, kind: workload}
  - {name: bench-client, kind: api-client, roles: [bench]}
gateway:
  listen: 127.0.0.1:$GW
  admin: {enabled: true, listen: 127.0.0.1:$ADMIN}
  threads: 1
  auth: {keys_file: $work/keys.json}
  access:
    - {name: bench, identities: [bench-client], models: [bench-model], routes: [chat, infer]}
  upstreams:
    llm: {pool_size: 128}  # nginx: upstream keepalive 128
    triton: {grpc_url: "h2c://127.0.0.1:$GRPCUP"}
  rate_limits:
    identities:
      bench-client: {requests_per_second: 1000000, burst: 1000000, max_concurrent: 100000,
                     tokens_per_minute: 1000000000000}
    models:
      bench-model: {max_concurrent: 100000}
  audit: {enabled: true, batch_size: 256, window_ms: 1000}
  access_log: off
ledger:
  origin: bench/ledger
  listen: 127.0.0.1:$(free_port)
EOF
KEY=$("$RAMPART" gateway keys create --identity bench-client --estate "$work/estate.yaml" 2>"$work/keys.err") || { cat "$work/keys.err" >&2; exit 1; }
(cd "$work" && exec "$RAMPART" --log-level warn serve --estate estate.yaml --var-dir "$work/var") \
  >"$work/serve.log" 2>&1 & GWPID=$!; pids+=($GWPID)
wait_port "$UP"; wait_port "$PROXY"; wait_port "$GW"

cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"hello"}],"max_tokens":1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
EOF

# A request through each path must succeed before anything is measured.
for p in $UP $PROXY $GW; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d '{"model":"bench-model","messages":[{"role":"user","content":"hello"}]}' "http://127.0.0.1:$p/v1/chat/completions")
  [ "$code" = 200 ] || { echo "bench/gateway: port $p answered $code" >&2; cat "$work/serve.log" >&2; exit 1; }
done

rps() { awk '/Requests\/sec/ {print $2}'; }
total() { awk '/requests in/ {print $1}'; }
errors() { awk '/Non-2xx|Socket errors/ {print}'; }
# Latency percentile from `wrk --latency` in microseconds.
pct() {
  awk -v p="$1%" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); print v+0} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000000}}'
}
vmhwm() { awk '/VmHWM/ {print $2}' "/proc/$GWPID/status"; }
# CPU time (user+system, clock ticks) of a process and its children: on a
# shared machine requests/s moves with the neighbours' load, the CPU each
# proxy spends per request does not.
cpu_ticks() {
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
tck=$(getconf CLK_TCK)
us_per_req() { awk -v t="$1" -v n="$2" -v k="$tck" 'BEGIN{printf "%.1f", t / k * 1e6 / n}'; }

echo "gateway benchmark: wrk -t2 -c64 -d${DURATION}s x ${GATEWAY_BENCH_ROUNDS:-3} interleaved rounds, POST /v1/chat/completions, same load on both"
echo "  nginx proxy_pass: worker_processes 1, HTTP/1.1 keep-alive both sides (upstream keepalive 128)"
echo "  rampart gateway:  threads 1, HTTP/1.1 keep-alive both sides (upstream pool 128 per thread),"
echo "                    API key + per-model authz + local rate limits + audit batches to the"
echo "                    in-process ledger (its own threads); access log off"
echo "  upstream: nginx worker_processes 1 returning a fixed ${#BODY}-byte JSON body; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$RAMPART" --version
wrk -t2 -c64 -d2s -s "$work/post.lua" "http://127.0.0.1:$GW/v1/chat/completions" >/dev/null  # warm-up
rss_start=$(vmhwm)
# Interleaved rounds (order alternating, nginx first in odd rounds): a
# neighbour's burst on this shared machine then lands in one round of one
# path, and the medians below do not move with it (one run each, back to
# back, swung the ratio by 0.1 between runs).
ROUNDS=${GATEWAY_BENCH_ROUNDS:-3}
declare -a rp_list rg_list ratio_list
px_ticks=0; gw_ticks=0; px_total=0; gw_total=0; gw_errors=""
run_proxy() {
  local c0 c1 o
  c0=$(cpu_ticks "$NGXPROXY")
  o=$(wrk -t2 -c64 -d"${DURATION}s" -s "$work/post.lua" "http://127.0.0.1:$PROXY/v1/chat/completions")
  c1=$(cpu_ticks "$NGXPROXY")
  px_ticks=$((px_ticks + c1 - c0)); px_total=$((px_total + $(echo "$o" | total)))
  r_proxy=$(echo "$o" | rps)
}
run_gw() {
  local g0 g1 o
  g0=$(cpu_ticks "$GWPID")
  # GATEWAY_BENCH_PERF=FILE: also record a CPU profile of the gateway under this load (first round).
  if [ -n "${GATEWAY_BENCH_PERF:-}" ] && [ "$round" = 1 ]; then
    perf record -g -o "$GATEWAY_BENCH_PERF" -p "$GWPID" -- sleep "$DURATION" 2>/dev/null & perfpid=$!
  fi
  o=$(wrk -t2 -c64 -d"${DURATION}s" -s "$work/post.lua" "http://127.0.0.1:$GW/v1/chat/completions")
  if [ -n "${GATEWAY_BENCH_PERF:-}" ] && [ "$round" = 1 ]; then wait "$perfpid"; fi
  g1=$(cpu_ticks "$GWPID")
  gw_ticks=$((gw_ticks + g1 - g0)); gw_total=$((gw_total + $(echo "$o" | total)))
  gw_errors+=$(echo "$o" | errors)
  r_gw=$(echo "$o" | rps)
}
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then run_proxy; run_gw; else run_gw; run_proxy; fi
  rp_list+=("$r_proxy"); rg_list+=("$r_gw")
  ratio_list+=("$(awk -v a="$r_gw" -v b="$r_proxy" 'BEGIN{printf "%.3f", a/b}')")
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
printf '  nginx proxy_pass (baseline): %10.0f requests/s   (median of %d rounds of %ss: %s)\n' \
  "$(echo "${rp_list[*]}" | median)" "$ROUNDS" "$DURATION" "$(printf '%.0f ' "${rp_list[@]}")"
printf '  rampart gateway:             %10.0f requests/s   (rounds: %s, interleaved)\n' \
  "$(echo "${rg_list[*]}" | median)" "$(printf '%.0f ' "${rg_list[@]}")"
printf '  ratio gateway/nginx = %.2f (median of the rounds'"'"' ratios: %s; goal >= 1.0)\n' \
  "$(echo "${ratio_list[*]}" | median)" "${ratio_list[*]}"
[ -z "$gw_errors" ] || echo "$gw_errors" | sed 's/^/  gateway: /'
printf '  CPU per request (user+sys, all threads, all rounds): nginx proxy %s us | rampart gateway %s us (incl. audit + ledger threads)\n' \
  "$(us_per_req "$px_ticks" "$px_total")" "$(us_per_req "$gw_ticks" "$gw_total")"

echo "added latency at concurrency 1 (wrk -t1 -c1 --latency, 3 interleaved rounds of 3s per path,"
echo "  median of the rounds), over the direct upstream:"
# One 5s run per path, back to back, turned a neighbour's burst into a
# negative or a 3 ms "added" p99; interleaved rounds and their median do not.
declare -A lat
lat_gw_total=0
for round in 1 2 3; do
  for path in up proxy gw; do
    case $path in up) port=$UP ;; proxy) port=$PROXY ;; gw) port=$GW ;; esac
    o=$(wrk -t1 -c1 -d3s --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions")
    for q in 50 99; do lat[$path,$q]+="$(echo "$o" | pct $q) "; done
    [ "$path" != gw ] || lat_gw_total=$((lat_gw_total + $(echo "$o" | total)))
  done
done
for q in 50 99; do
  u=$(echo "${lat[up,$q]}" | median); n=$(echo "${lat[proxy,$q]}" | median); g=$(echo "${lat[gw,$q]}" | median)
  printf '  p%s: upstream %7.1f us | nginx proxy +%7.1f us | rampart gateway +%7.1f us   (rounds, us: upstream %s| nginx %s| gateway %s)\n' \
    "$q" "$u" "$(awk -v a="$n" -v b="$u" 'BEGIN{print a-b}')" "$(awk -v a="$g" -v b="$u" 'BEGIN{print a-b}')" \
    "${lat[up,$q]}" "${lat[proxy,$q]}" "${lat[gw,$q]}"
done
echo "  goals: gateway p50 < 100 us, p99 < 300 us added (issue 12)"
# The gateway's own time, measured inside it (rampart_gateway_own_duration_seconds:
# the request's duration less the time awaiting the upstream), over one more
# c=1 round: the difference of two scrapes of its buckets. Neither the
# upstream's time nor the loopback hops and the client's queueing are in it.
own_buckets() {
  curl -s "http://127.0.0.1:$ADMIN/metrics" |
    awk -F'[{}]' '/^rampart_gateway_own_duration_seconds_bucket\{route="chat",/ {
      le = $2; sub(/.*le="/, "", le); sub(/".*/, "", le); split($3, v, " "); print le, v[1] }
    /^rampart_gateway_own_duration_seconds_sum\{route="chat"\}/ {split($3, v, " "); print "sum", v[1] }'
}
own0=$(own_buckets)
o=$(wrk -t1 -c1 -d3s --latency -s "$work/post.lua" "http://127.0.0.1:$GW/v1/chat/completions")
lat_gw_total=$((lat_gw_total + $(echo "$o" | total)))
own1=$(own_buckets)
# Quantile q of the round from cumulative bucket counts: the upper bound
# (in us) of the first bucket holding q of the round's requests.
own_q() {
  awk -v q="$1" 'NR == FNR {before[$1] = $2; next}
    $1 != "sum" {le[++n] = $1; d[n] = $2 - before[$1]}
    END {
      total = d[n]
      if (total <= 0) { print "none"; exit }
      for (i = 1; i <= n; i++) if (d[i] >= q * total) {
        if (le[i] == "+Inf") print "> " le[i - 1] * 1e6; else print "<= " le[i] * 1e6
        exit
      }
    }' <(echo "$own0") <(echo "$own1")
}
own_n=$(awk 'NR == FNR {b[$1] = $2; next} $1 == "+Inf" {print $2 - b[$1]}' <(echo "$own0") <(echo "$own1"))
own_mean=$(awk 'NR == FNR {b[$1] = $2; next} $1 == "sum" {s = $2 - b[$1]} $1 == "+Inf" {n = $2 - b[$1]}
  END {if (n > 0) printf "%.1f", s / n * 1e6; else print "none"}' <(echo "$own0") <(echo "$own1"))
printf '  gateway own time at c=1, measured inside (one more 3s round, %s requests; p50/p99 as bucket upper bounds):\n' "$own_n"
printf '    p50 %s us, p99 %s us, mean %s us   (goal: < 300 us added at p99; the same round from the client: p50 %s us, p99 %s us)\n' \
  "$(own_q 0.5)" "$(own_q 0.99)" "$own_mean" "$(echo "$o" | pct 50)" "$(echo "$o" | pct 99)"

# The same HTTP/1.1 load against an older commit's gateway, same run.
if [ -n "${GATEWAY_BASELINE_REF:-}" ] || [ -n "${GATEWAY_BASELINE_BIN:-}" ]; then
  repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
  if [ -n "${GATEWAY_BASELINE_BIN:-}" ]; then
    OLD=$(realpath "$GATEWAY_BASELINE_BIN")
    [ -x "$OLD" ] || { echo "bench/gateway: GATEWAY_BASELINE_BIN=$OLD is not executable" >&2; exit 2; }
    bsha=binary; bname="$OLD ($("$OLD" --version 2>/dev/null))"
  else
    bsha=$(git -C "$repo" rev-parse --verify "${GATEWAY_BASELINE_REF}^{commit}") ||
      { echo "bench/gateway: GATEWAY_BASELINE_REF=$GATEWAY_BASELINE_REF is not a commit" >&2; exit 2; }
    bdir=${GATEWAY_BASELINE_DIR:-$repo/.bench-baseline/${bsha:0:12}}
    if [ ! -d "$bdir" ]; then
      git -C "$repo" worktree add --detach "$bdir" "$bsha" >/dev/null 2>&1 ||
        { echo "bench/gateway: cannot create a worktree for $bsha at $bdir" >&2; exit 2; }
    fi
    echo "baseline: building rampart at ${bsha:0:12} in $bdir (nice, -j${GATEWAY_BASELINE_JOBS:-2})"
    if [ ! -f "$bdir/build/build.ninja" ]; then
      cmake -S "$bdir" -B "$bdir/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/baseline-cmake.log" 2>&1 ||
        { cat "$work/baseline-cmake.log" >&2; exit 1; }
    fi
    nice ninja -C "$bdir/build" -j"${GATEWAY_BASELINE_JOBS:-2}" rampart >"$work/baseline-build.log" 2>&1 ||
      { tail -30 "$work/baseline-build.log" >&2; exit 1; }
    OLD="$bdir/build/rampart"
    bname="${bsha:0:12} ($(git -C "$repo" log -1 --format=%s "$bsha" | cut -c1-70))"
  fi
  OLDGW=$(free_port); OLDADMIN=$(free_port)
  mkdir -p "$work/old"
  # The estate of the bench as it was before gRPC: every commit since reads it.
  cat >"$work/old/estate.yaml" <<EOF
version: 1
name: bench
zones:
  - {name: dmz, kind: inference, cidrs: [10.0.0.0/24]}
  - {name: ops, kind: mlops, cidrs: [10.1.0.0/24]}
services:
  - {name: gw, zone: dmz, kind: gateway, ports: [tcp/8443], identity: gateway-sa}
  - name: llm
    zone: dmz
    kind: inference
    inference: {protocol: openai, models: [bench-model]}
    upstream: http://127.0.0.1:$UP
  - {name: ledger, zone: ops, kind: ledger, ports: [tcp/7000]}
identities:
  - {name: gateway-sa, kind: workload}
  - {name: bench-client, kind: api-client, roles: [bench]}
gateway:
  listen: 127.0.0.1:$OLDGW
  admin: {enabled: true, listen: 127.0.0.1:$OLDADMIN}
  threads: 1
  auth: {keys_file: $work/old/keys.json}
  access:
    - {name: bench, identities: [bench-client], models: [bench-model], routes: [chat]}
  rate_limits:
    identities:
      bench-client: {requests_per_second: 1000000, burst: 1000000, max_concurrent: 100000,
                     tokens_per_minute: 1000000000000}
    models:
      bench-model: {max_concurrent: 100000}
  audit: {enabled: true, batch_size: 256, window_ms: 1000}
  access_log: off
ledger:
  origin: bench/ledger
  listen: 127.0.0.1:$(free_port)
EOF
  OLDKEY=$("$OLD" gateway keys create --identity bench-client --estate "$work/old/estate.yaml" 2>"$work/old/keys.err") ||
    { cat "$work/old/keys.err" >&2; exit 1; }
  (cd "$work/old" && exec "$OLD" --log-level warn serve --estate estate.yaml --var-dir "$work/old/var") \
    >"$work/old/serve.log" 2>&1 & OLDPID=$!; pids+=($OLDPID)
  wait_port "$OLDGW"
  sed "s|Bearer $KEY|Bearer $OLDKEY|" "$work/post.lua" >"$work/old/post.lua"
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $OLDKEY" \
    -H 'Content-Type: application/json' \
    -d '{"model":"bench-model","messages":[{"role":"user","content":"hello"}]}' "http://127.0.0.1:$OLDGW/v1/chat/completions")
  [ "$code" = 200 ] || { echo "bench/gateway: the baseline gateway answered $code" >&2; cat "$work/old/serve.log" >&2; exit 1; }
  echo "baseline: $bname"
  echo "  vs this build, same load, interleaved (wrk -t2 -c64 -d${DURATION}s, then wrk -c1 3s; 3 rounds each, median):"
  wrk -t2 -c64 -d2s -s "$work/old/post.lua" "http://127.0.0.1:$OLDGW/v1/chat/completions" >/dev/null  # warm-up
  declare -A base
  for round in 1 2 3; do
    for who in old new; do
      if [ $who = old ]; then port=$OLDGW; lua=$work/old/post.lua; pid=$OLDPID; else port=$GW; lua=$work/post.lua; pid=$GWPID; fi
      t0=$(cpu_ticks "$pid")
      o=$(wrk -t2 -c64 -d"${DURATION}s" -s "$lua" "http://127.0.0.1:$port/v1/chat/completions")
      t1=$(cpu_ticks "$pid")
      base[$who,rps]+="$(echo "$o" | rps) "
      base[$who,cpu]+="$(us_per_req $((t1 - t0)) "$(echo "$o" | total)") "
      echo "$o" | errors | sed "s/^/  $who: /"
    done
  done
  for round in 1 2 3; do
    for who in old new; do
      if [ $who = old ]; then port=$OLDGW; lua=$work/old/post.lua; else port=$GW; lua=$work/post.lua; fi
      o=$(wrk -t1 -c1 -d3s --latency -s "$lua" "http://127.0.0.1:$port/v1/chat/completions")
      for q in 50 99; do base[$who,$q]+="$(echo "$o" | pct $q) "; done
    done
  done
  for m in rps cpu 50 99; do
    bo=$(echo "${base[old,$m]}" | median); bn=$(echo "${base[new,$m]}" | median)
    case $m in
      rps) label="requests/s     "; better="higher is better" ;;
      cpu) label="CPU us/request "; better="lower is better" ;;
      50) label="p50 at c=1, us "; better="lower is better" ;;
      99) label="p99 at c=1, us "; better="lower is better" ;;
    esac
    printf '  %s baseline %9.1f | this build %9.1f | this/baseline = %.2f (%s)   (rounds: baseline %s| this %s)\n' \
      "$label" "$bo" "$bn" "$(awk -v a="$bn" -v b="$bo" 'BEGIN{print a/b}')" "$better" "${base[old,$m]}" "${base[new,$m]}"
  done
  kill "$OLDPID" 2>/dev/null || true
fi

# Peak RSS: keep going until the gateway has served RSS_REQUESTS in total.
served=$(( gw_total + lat_gw_total ))
rss_mid=$(vmhwm)
while [ "$served" -lt "$RSS_REQUESTS" ]; do
  n=$(wrk -t2 -c64 -d10s -s "$work/post.lua" "http://127.0.0.1:$GW/v1/chat/completions" | total)
  served=$((served + n))
done
rss_end=$(vmhwm)
audit=$(curl -s "http://127.0.0.1:$ADMIN/metrics" | awk '/^rampart_gateway_audit_records_total/ {print $2}')
printf '  gateway peak RSS (VmHWM): %d KiB after warm-up, %d KiB after %d requests, %d KiB after %d requests\n' \
  "$rss_start" "$rss_mid" "$(( gw_total + lat_gw_total ))" "$rss_end" "$served"
printf '  audit records written to the ledger: %s\n' "$audit"
# The in-process ledger's SQLite page cache (ledger cache_mib, 64 MiB by
# default) holds the pages it writes until it is full: the process RSS grows
# with the ledger file up to that bound, then stays flat.
printf '  ledger database: %d KiB (its SQLite page cache, up to 64 MiB, counts in the RSS above)\n' \
  "$(du -sk "$work/var" | cut -f1)"

# System calls per request, the one cost figure this VM's neighbours do not
# move (requests/s spread about +-5% from run to run): `perf stat` counting
# the raw_syscalls tracepoint on every thread of each proxy over one more
# 5 s round. Skipped, with a line saying so, where perf or its tracepoints
# are missing (it is a figure to read, not a goal).
syscalls_per_req() {  # PID PORT
  local tids n calls
  tids=$(ls "/proc/$1/task" | paste -sd,)
  perf stat -x, -e raw_syscalls:sys_enter -t "$tids" -o "$work/syscalls.csv" -- sleep 5 2>/dev/null &
  local sp=$!
  n=$(wrk -t2 -c64 -d5s -s "$work/post.lua" "http://127.0.0.1:$2/v1/chat/completions" | total)
  wait "$sp" || return 1
  calls=$(awk -F, '/raw_syscalls/ {print $1}' "$work/syscalls.csv")
  [ -n "$calls" ] && [ "$calls" != "<not" ] || return 1
  awk -v c="$calls" -v n="$n" 'BEGIN{printf "%.2f", c / n}'
}
ngx_worker=$(pgrep -P "$NGXPROXY" | head -1 || true)
if command -v perf >/dev/null && [ -n "$ngx_worker" ] &&
   s_ngx=$(syscalls_per_req "$ngx_worker" "$PROXY") && s_gw=$(syscalls_per_req "$GWPID" "$GW"); then
  printf '  system calls per request (perf stat, all threads): nginx proxy %s | rampart gateway %s\n' \
    "$s_ngx" "$s_gw"
else
  echo "  system calls per request: not measured (needs perf with the raw_syscalls tracepoint)"
fi

# HTTP/2 and gRPC: h2load, one connection per client, streams multiplexed.
H2N=${GATEWAY_BENCH_H2_REQUESTS:-200000}
printf '{"model":"bench-model","messages":[{"role":"user","content":"hello"}],"max_tokens":1}' >"$work/chat.json"
# A ModelInferRequest naming bench-model (field 1) and an id (field 3), framed.
printf '\x00\x00\x00\x00\x12\x0a\x0bbench-model\x1a\x03abc' >"$work/infer.grpc"
h2rps() { awk '/^finished in/ {gsub(",","",$4); print $4}'; }
h2ok() { awk '/^requests:/ {print $8}'; }
h2run() {  # NAME URL DATA extra-args...
  local name=$1 url=$2 data=$3; shift 3
  local c0 c1 out pid=$NGXPROXY
  [ "$name" = gateway ] && pid=$GWPID
  c0=$(cpu_ticks "$pid")
  out=$(h2load -n "$H2N" -c 16 -m 16 -t 1 -d "$data" -H "Authorization: Bearer $KEY" "$@" "$url")
  c1=$(cpu_ticks "$pid")
  [ -z "${GATEWAY_BENCH_VERBOSE:-}" ] || echo "$out" >&2
  local ok; ok=$(echo "$out" | h2ok)
  if [ "$ok" != "$H2N" ]; then
    echo "bench/gateway: $name $url: only $ok of $H2N requests succeeded" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$(echo "$out" | h2rps) $(us_per_req $((c1 - c0)) "$H2N")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "HTTP/2 (h2load -n $H2N -c 16 -m 16, h2c prior knowledge, POST /v1/chat/completions):"
read -r h2_n h2_ncpu <<<"$(h2run nginx "http://127.0.0.1:$H2PROXY/v1/chat/completions" "$work/chat.json" -H 'content-type: application/json')"
read -r h2_g h2_gcpu <<<"$(h2run gateway "http://127.0.0.1:$GW/v1/chat/completions" "$work/chat.json" -H 'content-type: application/json')"
printf '  nginx http2 proxy_pass (baseline): %10.0f requests/s, %s us CPU/request\n' "$h2_n" "$h2_ncpu"
printf '  rampart gateway h2c:               %10.0f requests/s, %s us CPU/request   ratio gateway/nginx = %s\n' \
  "$h2_g" "$h2_gcpu" "$(ratio "$h2_g" "$h2_n")"
echo "gRPC (h2load -n $H2N -c 16 -m 16, ModelInfer to an h2c upstream):"
grpc_h=(-H 'content-type: application/grpc' -H 'te: trailers')
# h2load counts HTTP 200 as success and gRPC puts its status in trailers:
# one call through each path must end with grpc-status 0 first.
for p in $GRPCPROXY $GW; do
  st=$(nghttp -v -d "$work/infer.grpc" -H "Authorization: Bearer $KEY" "${grpc_h[@]}" \
    "http://127.0.0.1:$p/inference.GRPCInferenceService/ModelInfer" 2>&1 |
    awk '/recv \(stream_id=[0-9]+\) grpc-status:/ {print $NF}' | tail -1)
  [ "$st" = 0 ] || { echo "bench/gateway: gRPC through port $p ended with grpc-status '$st'" >&2; exit 1; }
done
read -r g_n g_ncpu <<<"$(h2run nginx "http://127.0.0.1:$GRPCPROXY/inference.GRPCInferenceService/ModelInfer" "$work/infer.grpc" "${grpc_h[@]}")"
read -r g_g g_gcpu <<<"$(h2run gateway "http://127.0.0.1:$GW/inference.GRPCInferenceService/ModelInfer" "$work/infer.grpc" "${grpc_h[@]}")"
# A refused or failed call is HTTP 200 with a non-zero grpc-status, which
# h2load counts as a success: the gateway's own count of infer answers other
# than OK must be zero.
failed=$(curl -s "http://127.0.0.1:$ADMIN/metrics" |
  awk '/^rampart_gateway_requests_total\{route="infer"/ && !/status="200"/ {n += $2} END {print n + 0}')
[ "$failed" = 0 ] || { echo "bench/gateway: $failed gRPC calls through the gateway failed" >&2; exit 1; }
printf '  nginx grpc_pass (baseline):        %10.0f calls/s, %s us CPU/call\n' "$g_n" "$g_ncpu"
printf '  rampart gateway gRPC:              %10.0f calls/s, %s us CPU/call   ratio gateway/nginx = %s\n' \
  "$g_g" "$g_gcpu" "$(ratio "$g_g" "$g_n")"

# HTTP/1.1 over TLS: the client side terminated by each proxy (TLS 1.3, a
# P-256 certificate, keep-alive), the same plain upstream: the proxy nginx's
# `listen ... ssl` server and a second gateway (the same estate with a `tls:`
# section, its own ports and var dir), each loaded only in its turn.
TLSGW=$(free_port); TLSADMIN=$(free_port); TLSLEDGER=$(free_port)
ledger_line=$(grep -n '^  listen: ' "$work/estate.yaml" | tail -1 | cut -d: -f1)
sed -e "s|^  listen: 127.0.0.1:$GW\$|  listen: 127.0.0.1:$TLSGW\n  tls: {cert: $work/tls/server.pem, key: $work/tls/server.key}|" \
    -e "s|listen: 127.0.0.1:$ADMIN}|listen: 127.0.0.1:$TLSADMIN}|" \
    -e "${ledger_line}s|.*|  listen: 127.0.0.1:$TLSLEDGER|" "$work/estate.yaml" >"$work/tls/estate.yaml"
(cd "$work/tls" && exec "$RAMPART" --log-level warn serve --estate estate.yaml --var-dir "$work/tls/var") \
  >"$work/tls/serve.log" 2>&1 & TLSGWPID=$!; pids+=($TLSGWPID)
wait_port "$TLSPROXY"; wait_port "$TLSGW"
for p in $TLSPROXY $TLSGW; do
  code=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d '{"model":"bench-model","messages":[{"role":"user","content":"hello"}]}' "https://127.0.0.1:$p/v1/chat/completions")
  [ "$code" = 200 ] || { echo "bench/gateway: TLS port $p answered $code" >&2; cat "$work/tls/serve.log" >&2; exit 1; }
done
echo "HTTP/1.1 over TLS (wrk -t2 -c64 -d${DURATION}s over https, TLS 1.3, P-256, keep-alive; $ROUNDS interleaved rounds, medians):"
declare -a tn_list tg_list tr_list
tn_ticks=0; tg_ticks=0; tn_total=0; tg_total=0
tls_round() {  # nginx|gateway
  local pid=$NGXPROXY port=$TLSPROXY c0 c1 o
  [ "$1" = gateway ] && pid=$TLSGWPID && port=$TLSGW
  c0=$(cpu_ticks "$pid")
  o=$(wrk -t2 -c64 -d"${DURATION}s" -s "$work/post.lua" "https://127.0.0.1:$port/v1/chat/completions")
  c1=$(cpu_ticks "$pid")
  if [ "$1" = gateway ]; then
    tg_ticks=$((tg_ticks + c1 - c0)); tg_total=$((tg_total + $(echo "$o" | total))); r_tg=$(echo "$o" | rps)
    [ -z "$(echo "$o" | errors)" ] || echo "$o" | errors | sed 's/^/  gateway over TLS: /'
  else
    tn_ticks=$((tn_ticks + c1 - c0)); tn_total=$((tn_total + $(echo "$o" | total))); r_tn=$(echo "$o" | rps)
  fi
}
wrk -t2 -c64 -d2s -s "$work/post.lua" "https://127.0.0.1:$TLSGW/v1/chat/completions" >/dev/null  # warm-up
wrk -t2 -c64 -d2s -s "$work/post.lua" "https://127.0.0.1:$TLSPROXY/v1/chat/completions" >/dev/null
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then tls_round nginx; tls_round gateway; else tls_round gateway; tls_round nginx; fi
  tn_list+=("$r_tn"); tg_list+=("$r_tg")
  tr_list+=("$(awk -v a="$r_tg" -v b="$r_tn" 'BEGIN{printf "%.3f", a/b}')")
done
printf '  nginx ssl proxy_pass (baseline):   %10.0f requests/s, %s us CPU/request   (rounds: %s)\n' \
  "$(echo "${tn_list[*]}" | median)" "$(us_per_req "$tn_ticks" "$tn_total")" "$(printf '%.0f ' "${tn_list[@]}")"
printf '  rampart gateway TLS:               %10.0f requests/s, %s us CPU/request   (rounds: %s)   ratio gateway/nginx = %.2f (rounds: %s)\n' \
  "$(echo "${tg_list[*]}" | median)" "$(us_per_req "$tg_ticks" "$tg_total")" "$(printf '%.0f ' "${tg_list[@]}")" \
  "$(echo "${tr_list[*]}" | median)" "${tr_list[*]}"
