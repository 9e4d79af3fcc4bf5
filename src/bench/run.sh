#!/usr/bin/env bash
# Benchmark of tunneld against going direct, everything on loopback:
#
#   bash src/bench/run.sh           # full run, about 10 minutes with the build
#   bash src/bench/run.sh --smoke   # every scenario, short (one to two minutes): CI-safe
#
# Installs wrk, iperf3, nginx and redis-server from Debian if missing, builds tunneld if its
# sources changed, then starts nginx (the local service), an iperf3 server, tunneld with
# default settings as the README runs it, and the benchmark's ngrok 1.x client
# (io.tunneld.bench.BenchClient, in src/test); then a cluster of two tunneld replicas sharing
# a Redis, with a client of its own. Each scenario runs direct, through the tunnel and through
# the cluster, in rounds; the Markdown table goes to stdout and target/bench/results.md, raw
# outputs and every process's log to target/bench/.
# Everything started here is stopped on exit, also on Ctrl-C or failure.
set -Eeuo pipefail

cd "$(dirname "$0")/../.."
readonly OUT=$PWD/target/bench
readonly TOKEN=bench-token-4f8a2c71
readonly COMMAND="bash src/bench/run.sh${1:+ $1}"

usage() {
    echo "usage: bash src/bench/run.sh [--smoke]" >&2
    exit 2
}

# Durations in seconds. The warm-up before each scenario's first measurement is dropped: the
# JIT compiles the handshake and relay paths slowly while the load keeps both cores busy (at
# 3 s of warm-up the connection-per-request figure was still about half of its steady state).
# Each scenario runs ROUNDS times, direct, tunnel, then cluster: the machine's speed drifts by
# tens of percent within minutes, and the report shows the round with the median ratio.
case "$#:${1:-}" in
    0:) DURATION=10 IPERF_TIME=8 WARMUP=10 ROUNDS=3 IDLE_CONTROLS=1000 WARM_CONTROLS=300 IDLE_WAIT=15 LAUNCHES=7 ;;
    1:--smoke) DURATION=2 IPERF_TIME=2 WARMUP=1 ROUNDS=1 IDLE_CONTROLS=50 WARM_CONTROLS=20 IDLE_WAIT=2 LAUNCHES=1 ;;
    *) usage ;;
esac

log() {
    printf '==> %s\n' "$*" >&2
}

# die MESSAGE [LOG...]: fails with the message and the end of each log that explains it.
die() {
    local file
    printf 'run.sh: error: %s\n' "$1" >&2
    for file in "${@:2}"; do
        if [[ -s $file ]]; then
            printf -- '--- last lines of %s ---\n' "$file" >&2
            tail -n 25 "$file" >&2
        fi
    done
    exit 1
}

trap 'echo "run.sh: error: line $LINENO failed: $BASH_COMMAND" >&2' ERR

# --- processes: everything started is remembered, so that exit stops it -------------------

started=()   # pids, in start order
WORK=""      # temporary directory: nginx config, its document root, Redis's directory

# The processes whose CPU time each measured run records (with_cpu), by role: the load
# generator's comes from the shell itself.
watched_roles=()
watched_pids=()

# watch ROLE PID: records PID's CPU time in every measured run from now on, as ROLE.
watch() {
    watched_roles+=("$1")
    watched_pids+=("$2")
}

alive() {
    local state
    state=$(ps -o stat= -p "$1") || return 1
    [[ $state != Z* ]]   # a zombie has exited, it only waits for us to reap it
}

# Stops one process started here: TERM, then KILL if it is still there after 5 s.
stop() {
    local pid=$1 i kept=() p
    if kill -TERM "$pid" 2>/dev/null; then
        for ((i = 0; i < 50; i++)); do
            alive "$pid" || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    for p in "${started[@]}"; do
        [[ $p == "$pid" ]] || kept+=("$p")
    done
    started=("${kept[@]}")
}

cleanup() {
    local i
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        stop "${started[i]}"
    done
    if [[ -n $WORK ]]; then
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'echo "run.sh: terminated" >&2; exit 143' TERM

# wait_until PID SECONDS WHAT LOG COMMAND...: runs COMMAND every 20 ms until it succeeds, while
# PID lives; dies with the end of LOG otherwise.
wait_until() {
    local pid=$1 seconds=$2 what=$3 log=$4 deadline=$((SECONDS + $2))
    shift 4
    until "$@"; do
        alive "$pid" || die "$what exited before it was ready" "$log"
        ((SECONDS < deadline)) || die "$what not ready within $seconds s" "$log"
        sleep 0.02
    done
}

# Whether something listens on port $1, on any address.
listening() {
    [[ -n $(ss -Hltn "sport = :$1") ]]
}

# Whether something listens on port $1 on an address the benchmark binds (127.0.0.1 and the
# replicas'), or on all addresses: the machine's other loopback addresses do not collide.
taken() {
    ss -Hltn "sport = :$1" | awk -v a="$REPLICA_A" -v b="$REPLICA_B" '
        { sub(/:[0-9]+$/, "", $4) }
        $4 == "0.0.0.0" || $4 == "*" || $4 == "[::]" || $4 == "127.0.0.1" || $4 == a || $4 == b { found = 1 }
        END { exit !found }'
}

# First port from $1 to $2 that is not taken.
free_port() {
    local port
    for ((port = $1; port <= $2; port++)); do
        if ! taken "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free port in $1-$2"
}

rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# CPU time a process (all its threads) has used so far, user plus system, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# RSS after a full GC and a native heap trim: what the process retains, without the garbage
# that 1,000 TLS handshakes left in the heap, nor the native memory freed after them that the
# periodic trim (every 5 s) may or may not have handed back yet.
settled_rss_kb() {
    jcmd "$1" GC.run >/dev/null
    jcmd "$1" System.trim_native_heap >/dev/null
    sleep 1
    rss_kb "$1"
}

# --- preparation ----------------------------------------------------------------------------

install_tools() {
    local pair missing=()
    for pair in wrk:wrk iperf3:iperf3 nginx:nginx redis-server:redis-server curl:curl ss:iproute2 \
        python3:python3; do
        command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
    done
    if ((${#missing[@]} > 0)); then
        log "installing ${missing[*]} from Debian"
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } \
            >"$OUT/apt.log" 2>&1 || die "could not install ${missing[*]}" "$OUT/apt.log"
    fi
}

# Builds when a source changed since the last build made here. The stamp is taken before the
# build, so that a file edited during it still counts as changed next time.
build() {
    local stamp=$OUT/build.stamp
    if [[ -f $stamp && -f target/quarkus-app/quarkus-run.jar && -f target/quarkus-app/app-cds.jsa &&
        -f target/quarkus-app/jvm.options ]] &&
        [[ -z $(find pom.xml src/main src/test -newer "$stamp" -print -quit) ]]; then
        log "tunneld is built and up to date"
    else
        log "building tunneld"
        touch "$stamp.new"
        ./mvnw -B -q -ntp package -DskipTests >"$OUT/build.log" 2>&1 || die "build failed" "$OUT/build.log"
        mv "$stamp.new" "$stamp"
    fi
    if [[ ! -s $OUT/classpath.txt || pom.xml -nt $OUT/classpath.txt ]]; then
        log "computing the test classpath"
        ./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test \
            -Dmdep.outputFile="$OUT/classpath.txt" >"$OUT/classpath.log" 2>&1 ||
            die "could not compute the test classpath" "$OUT/classpath.log"
    fi
    [[ -f target/test-classes/io/tunneld/bench/BenchClient.class ]] ||
        die "target/test-classes has no io/tunneld/bench/BenchClient.class: the benchmark client is missing"
    # target/classes too: the client uses tunneld's protocol classes.
    CLIENT_CP="target/test-classes:target/classes:$(cat "$OUT/classpath.txt")"
}

# --- the services ---------------------------------------------------------------------------

start_nginx() {
    local dir=$WORK/nginx
    mkdir -p "$dir/www"
    chmod 755 "$WORK"   # mktemp's 0700 would lock out nginx's worker, which runs as nobody
    head -c 1024 /dev/urandom >"$dir/www/1k.bin"
    cat >"$dir/nginx.conf" <<EOF
# One worker: the reference machine has 2 cores, and the other one is left to tunneld and
# its client, which share the machine with nginx and wrk during the tunnel runs.
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log stderr warn;
events {}
http {
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $dir/www;
    }
}
EOF
    # -e: the log nginx uses before it has read its config (else /var/log/nginx).
    nginx -p "$dir" -c "$dir/nginx.conf" -e stderr >"$OUT/nginx.log" 2>&1 &
    started+=("$!")
    wait_until "$!" 10 nginx "$OUT/nginx.log" curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/1k.bin"
    local worker
    worker=$(pgrep -P "$!") || die "nginx has no worker process" "$OUT/nginx.log"
    watch nginx "$worker"
}

# One iperf3 server for every run: it serves one test at a time, and they are sequential.
start_iperf3() {
    iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" >"$OUT/iperf3.log" 2>&1 &
    started+=("$!")
    watch iperf3 "$!"
    wait_until "$!" 10 "iperf3 server" "$OUT/iperf3.log" listening "$IPERF_PORT"
}

# The JVM flags tunneld has in a 512 MiB container: there the JVM itself picks the serial GC
# (under 1792 MiB) and an 8 MiB initial heap; the rest is what deploy/ sets.
readonly CONTAINER_FLAGS=(-XX:+UseSerialGC -XX:MaxRAM=512m -XX:MaxRAMPercentage=75
    -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000)

# launch_tunneld VAR LOG HOST [NAME=VALUE...] [JVM-FLAG...]: starts tunneld from
# target/quarkus-app with these JVM flags (the README's run command passes @jvm.options),
# default settings but for the ports chosen here, every listener on address HOST, and the
# settings NAME=VALUE; sets VAR to its pid.
launch_tunneld() {
    local var=$1 log=$2 host=$3 settings=()
    shift 3
    while (($# > 0)) && [[ $1 =~ ^[A-Z_]+= ]]; do
        settings+=("$1")
        shift
    done
    (
        cd target/quarkus-app
        exec env TUNNELD_AUTH_TOKENS=$TOKEN \
            QUARKUS_HTTP_HOST=$host QUARKUS_HTTP_PORT=$HEALTH_PORT \
            TUNNELD_TUNNEL_HOST=$host TUNNELD_TUNNEL_PORT=$TUNNEL_PORT \
            TUNNELD_HTTP_HOST=$host TUNNELD_HTTP_PORT=$HTTP_PORT \
            TUNNELD_HTTPS_HOST=$host TUNNELD_HTTPS_PORT=$HTTPS_PORT \
            TUNNELD_TCP_HOST=$host \
            "${settings[@]}" java "$@" -jar quarkus-run.jar
    ) >"$log" 2>&1 &
    printf -v "$var" '%s' "$!"
    started+=("$!")
}

# wait_ready PID HOST LOG: until the /q/health/ready of the tunneld at HOST answers.
wait_ready() {
    wait_until "$1" 60 tunneld "$3" curl -sf -o /dev/null "http://$2:$HEALTH_PORT/q/health/ready"
}

# idle_rss VAR [JVM-FLAG...]: sets VAR to the idle RSS (KiB) of a tunneld of its own with
# these JVM flags, IDLE_WAIT s after it is ready; stops it after.
idle_rss() {
    local var=$1
    shift
    launch_tunneld TUNNELD_PID "$OUT/tunneld-idle.log" 127.0.0.1 "$@"
    wait_ready "$TUNNELD_PID" 127.0.0.1 "$OUT/tunneld-idle.log"
    sleep "$IDLE_WAIT"
    printf -v "$var" '%s' "$(rss_kb "$TUNNELD_PID")"
    stop "$TUNNELD_PID"
}

# Starts tunneld as the README's run command does, and adds its start-up to STARTUPS_S (from
# launch until /q/health/ready answers) and Quarkus's own "started in" to QUARKUS_STARTED.
start_tunneld() {
    local start_ns
    start_ns=$(date +%s%N)
    launch_tunneld TUNNELD_PID "$OUT/tunneld.log" 127.0.0.1 @jvm.options
    wait_ready "$TUNNELD_PID" 127.0.0.1 "$OUT/tunneld.log"
    STARTUPS_S+=("$(awk -v ns=$(($(date +%s%N) - start_ns)) 'BEGIN { printf "%.3f", ns / 1e9 }')")
    QUARKUS_STARTED+=("$(sed -n 's/.* started in \([0-9.]*\)s.*/\1/p' "$OUT/tunneld.log" | head -n 1)")
    grep -q 'Unable to use shared archive' "$OUT/tunneld.log" &&
        log "warning: the JVM did not use target/quarkus-app/app-cds.jsa (made by another JVM?)"
    log "tunneld ready in ${STARTUPS_S[-1]} s (Quarkus: started in ${QUARKUS_STARTED[-1]:-?} s)"
}

# Start-up varies from launch to launch on a shared 2-core machine (1.1 to 1.9 s seen), so it
# is measured LAUNCHES times in a row, the last tunneld staying up for the other measurements.
measure_startup() {
    local launch
    STARTUPS_S=()
    QUARKUS_STARTED=()
    for ((launch = 1; launch < LAUNCHES; launch++)); do
        start_tunneld
        stop "$TUNNELD_PID"
    done
    start_tunneld
}

# idle_sessions N: BenchClient holding N idle controls with two http tunnels each; sets
# IDLE_CLIENT_PID once all are up.
idle_sessions() {
    # Emptied here, before the client's own redirection, which may come after the first
    # check: an earlier client's line must not pass for this one's.
    : >"$OUT/idle-client.log"
    "${CLIENT[@]}" --server "127.0.0.1:$TUNNEL_PORT" --idle-controls "$1" >"$OUT/idle-client.log" 2>&1 &
    IDLE_CLIENT_PID=$!
    started+=("$IDLE_CLIENT_PID")
    # The client itself gives up after 120 s.
    wait_until "$IDLE_CLIENT_PID" 130 "BenchClient --idle-controls" "$OUT/idle-client.log" \
        grep -qE "^IDLE-READY $1\$" "$OUT/idle-client.log"
}

# RSS added by idle sessions: N controls with two http tunnels each, 3 s after they are up,
# both sides measured after a full GC and a native heap trim. A warm-up round of sessions,
# opened and closed first, keeps first-use costs (classes loaded, code compiled) out of the
# per-session figure.
measure_idle_controls() {
    idle_sessions "$WARM_CONTROLS"
    stop "$IDLE_CLIENT_PID"
    sleep 3   # the server notices the closed connections and releases the sessions
    CONTROLS_RSS_BEFORE_KB=$(settled_rss_kb "$TUNNELD_PID")
    idle_sessions "$IDLE_CONTROLS"
    sleep 3
    CONTROLS_RSS_AFTER_KB=$(settled_rss_kb "$TUNNELD_PID")
    stop "$IDLE_CLIENT_PID"
}

# launch_client VAR LOG HOST: starts a BenchClient with the benchmark's two tunnels, its
# control and proxy connections to the tunneld at HOST; sets VAR to its pid.
launch_client() {
    local var=$1 log=$2 host=$3
    : >"$log"   # as in idle_sessions: no READY of an earlier run
    "${CLIENT[@]}" --server "$host:$TUNNEL_PORT" --http "bench=127.0.0.1:$NGINX_PORT" \
        --tcp "$TCP_PORT=127.0.0.1:$IPERF_PORT" >"$log" 2>&1 &
    printf -v "$var" '%s' "$!"
    started+=("$!")
}

# client_ready PID LOG: until that client's tunnels are up.
client_ready() {
    wait_until "$1" 30 BenchClient "$2" grep -q '^READY$' "$2"
    grep '^TUNNEL ' "$2" >&2
}

# The cluster: a Redis and two replicas, each on a loopback address of its own with the port
# numbers of the single tunneld (as src/test/.../testsupport/LocalCluster.java runs them),
# started as the run command starts tunneld, plus the cluster settings. The benchmark client's
# control and proxy connections go to replica A, public traffic enters replica B. B holds no
# session, so each public connection there asks A for a proxy over their link, claims it on
# A's forward port and relays to it: one extra hop (src/main/java/io/tunneld/cluster/ProxyBroker.java).
readonly REPLICA_A=127.0.0.2 REPLICA_B=127.0.0.3
readonly CLUSTER_SECRET=bench-cluster-secret

# launch_replica VAR NAME HOST: starts cluster replica NAME (a or b) on HOST; sets VAR to its pid.
launch_replica() {
    launch_tunneld "$1" "$OUT/replica-$2.log" "$3" TUNNELD_CLUSTER_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
        TUNNELD_CLUSTER_SECRET=$CLUSTER_SECRET TUNNELD_CLUSTER_FORWARD_PORT="$FORWARD_PORT" \
        TUNNELD_CLUSTER_ADVERTISE_HOST="$3" @jvm.options
}

# Starts Redis, then both replicas without waiting for them (cluster_ready does).
launch_cluster() {
    mkdir -p "$WORK/redis"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK/redis" \
        >"$OUT/redis.log" 2>&1 &
    started+=("$!")
    watch redis "$!"
    wait_until "$!" 10 redis-server "$OUT/redis.log" listening "$REDIS_PORT"
    launch_replica REPLICA_A_PID a "$REPLICA_A"
    launch_replica REPLICA_B_PID b "$REPLICA_B"
}

cluster_ready() {
    wait_ready "$REPLICA_A_PID" "$REPLICA_A" "$OUT/replica-a.log"
    wait_ready "$REPLICA_B_PID" "$REPLICA_B" "$OUT/replica-b.log"
    watch replica-a "$REPLICA_A_PID"
    watch replica-b "$REPLICA_B_PID"
    metrics_hosts[replica-a]=$REPLICA_A
    metrics_hosts[replica-b]=$REPLICA_B
    log "cluster ready: replica A at $REPLICA_A, B at $REPLICA_B, Redis at 127.0.0.1:$REDIS_PORT"
}

# public_host ROUTE: the address public traffic enters on, for route tunnel or cluster.
public_host() {
    case $1 in
        tunnel) echo 127.0.0.1 ;;
        cluster) echo "$REPLICA_B" ;;
    esac
}

# serves_route ROUTE: whether GET through ROUTE returns the 1 KiB file and the TCP tunnel's
# port listens there.
serves_route() {
    local host
    host=$(public_host "$1")
    [[ $(curl -sf -H "Host: $TUNNEL_HOST" "http://$host:$HTTP_PORT/1k.bin" | wc -c) == 1024 &&
        -n $(ss -Hltn "src $host:$TCP_PORT") ]]
}

# --- measurements ---------------------------------------------------------------------------

declare -A metrics_hosts=()   # tunneld processes by role: the address of their /q/metrics

# save_metrics PREFIX: the tunneld_* lines of each tunneld's /q/metrics, in PREFIX-ROLE.txt.
save_metrics() {
    local role
    for role in "${!metrics_hosts[@]}"; do
        curl -sf "http://${metrics_hosts[$role]}:$HEALTH_PORT/q/metrics" | grep '^tunneld_' >"$1-$role.txt" ||
            die "could not read the metrics of $role"
    done
}

# with_cpu RUN OUT COMMAND...: runs COMMAND (a load generator) with its output in OUT, and
# writes to target/bench/cpu-RUN.txt the CPU seconds that it and each watched process used
# meanwhile ("PROCESS SECONDS" lines). On a machine the load saturates, the sum is what a
# request costs. Each tunneld's metrics are saved before and after, outside the timed span.
with_cpu() {
    local run=$1 out=$2 tick i rc=0
    local file=$OUT/cpu-$run.txt before=() after=() load
    shift 2
    tick=$(getconf CLK_TCK)
    save_metrics "$OUT/metrics-$run-before"
    for i in "${!watched_pids[@]}"; do before[i]=$(cpu_ticks "${watched_pids[i]}"); done
    # `times` in a fresh subshell: its second line is the CPU time of that subshell's
    # children, the command alone. (Not in a pipe or $(...): a forked shell starts at zero.)
    ("$@" >"$out" 2>&1 && times >"$file.times") || rc=$?
    for i in "${!watched_pids[@]}"; do after[i]=$(cpu_ticks "${watched_pids[i]}"); done
    ((rc == 0)) || return "$rc"
    save_metrics "$OUT/metrics-$run-after"
    load=$(sed -n 2p "$file.times")
    rm -f "$file.times"
    {
        for i in "${!watched_pids[@]}"; do
            awk -v r="${watched_roles[i]}" -v t=$((after[i] - before[i])) -v hz="$tick" \
                'BEGIN { printf "%s %.2f\n", r, t / hz }'
        done
        # "0m1.830s 0m3.210s": user and system time.
        awk '{ gsub(/[ms]/, " "); print "load", $1 * 60 + $2 + $3 * 60 + $4 }' <<<"$load"
    } >"$file"
}

# measurement_failed ROUTE MESSAGE LOG...: dies, saying which watched process had gone, with
# the logs of ROUTE's processes.
measurement_failed() {
    local route=$1 why=$2 i logs=()
    for i in "${!watched_pids[@]}"; do
        alive "${watched_pids[i]}" || why+="; ${watched_roles[i]} is no longer running"
    done
    case $route in
        tunnel) logs=("$OUT/tunneld.log" "$OUT/client.log") ;;
        cluster) logs=("$OUT/replica-a.log" "$OUT/replica-b.log" "$OUT/cluster-client.log" "$OUT/redis.log") ;;
    esac
    die "$why" "${@:3}" "${logs[@]}"
}

# wrk_measure NAME ROUTE ROUND WRK-OPTION...: the measurement (after a warm-up in round 1),
# kept in target/bench/wrk-NAME-ROUTE-ROUND.txt. ROUTE: direct (nginx), tunnel or cluster.
wrk_measure() {
    local name=$1 route=$2 round=$3 url=$DIRECT_URL headers=()
    shift 3
    local out=$OUT/wrk-$name-$route-$round.txt
    if [[ $route != direct ]]; then
        url=http://$(public_host "$route"):$HTTP_PORT/1k.bin
        headers=(-H "Host: $TUNNEL_HOST")   # wrk does not resolve *.localhost
    fi
    log "wrk $name, $route, round $round of $ROUNDS"
    if ((round == 1)); then
        wrk "$@" "${headers[@]}" -d "${WARMUP}s" "$url" >"$out" 2>&1 ||
            measurement_failed "$route" "wrk warm-up failed ($name, $route)" "$out"
    fi
    with_cpu "$name-$route-$round" "$out" wrk "$@" "${headers[@]}" -d "${DURATION}s" "$url" ||
        measurement_failed "$route" "wrk failed ($name, $route)" "$out"
    grep -q '^Requests/sec:' "$out" ||
        measurement_failed "$route" "no Requests/sec in wrk's output ($name, $route)" "$out"
    if grep -q 'Non-2xx or 3xx responses' "$out"; then
        measurement_failed "$route" "error answers during $name, $route" "$out"
    fi
}

# iperf3_measure ROUTE ROUND: one measured iperf3 run (after a warm-up in round 1).
iperf3_measure() {
    local route=$1 round=$2 out=$OUT/iperf3-$1-$2.json host=127.0.0.1 port=$IPERF_PORT
    if [[ $route != direct ]]; then
        host=$(public_host "$route")
        port=$TCP_PORT
    fi
    log "iperf3, $route, round $round of $ROUNDS"
    if ((round == 1)); then
        iperf3 -c "$host" -p "$port" -t "$WARMUP" -J >"$out" 2>&1 ||
            measurement_failed "$route" "iperf3 warm-up failed ($route)" "$out" "$OUT/iperf3.log"
    fi
    with_cpu "tcp-$route-$round" "$out" iperf3 -c "$host" -p "$port" -t "$IPERF_TIME" -J ||
        measurement_failed "$route" "iperf3 failed ($route)" "$out" "$OUT/iperf3.log"
}

run_scenarios() {
    local route round routes=(direct tunnel cluster)
    for ((round = 1; round <= ROUNDS; round++)); do
        for route in "${routes[@]}"; do
            wrk_measure keepalive "$route" "$round" -t2 -c50
        done
        for route in "${routes[@]}"; do
            wrk_measure close "$route" "$round" -t2 -c20 -H "Connection: close"
        done
        for route in "${routes[@]}"; do
            iperf3_measure "$route" "$round"
        done
        for route in "${routes[@]}"; do
            wrk_measure latency "$route" "$round" -t1 -c10 --latency -s src/bench/delay.lua
        done
    done
}

report() {
    local header
    header="$(date -u '+%Y-%m-%d %H:%M UTC') · nproc $(nproc) · \
$(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo) · \
$(java -version 2>&1 | sed -n 1p) · \`$COMMAND\`"
    python3 -B src/bench/report.py --dir "$OUT" --header "$header" \
        --startup-s "${STARTUPS_S[@]}" --quarkus-started "${QUARKUS_STARTED[@]}" --idle-rss-kb "$IDLE_RSS_KB" \
        --bare-rss-kb "$BARE_RSS_KB" --container-rss-kb "$CONTAINER_RSS_KB" \
        --container-c1-rss-kb "$CONTAINER_C1_RSS_KB" \
        --idle-controls "$IDLE_CONTROLS" --warm-controls "$WARM_CONTROLS" --controls-rss-before-kb "$CONTROLS_RSS_BEFORE_KB" \
        --controls-rss-after-kb "$CONTROLS_RSS_AFTER_KB" >"$OUT/results.md"
    cat "$OUT/results.md"
}

main() {
    mkdir -p "$OUT"
    rm -f "$OUT"/wrk-*.txt "$OUT"/iperf3-*.json "$OUT"/cpu-*.txt "$OUT"/metrics-*.txt "$OUT/results.md"
    install_tools
    build
    WORK=$(mktemp -d -t tunneld-bench.XXXXXX)

    # tunneld's defaults where they are free, the next free port otherwise.
    NGINX_PORT=$(free_port 18080 18999)
    IPERF_PORT=$(free_port 5201 5999)
    HEALTH_PORT=$(free_port 9090 9999)
    TUNNEL_PORT=$(free_port 4443 4999)
    HTTP_PORT=$(free_port 8880 8899)
    HTTPS_PORT=$(free_port 8443 8479)
    TCP_PORT=$(free_port 10500 10999)   # inside tunneld's default TCP range
    # Not the tunnel port, whose range holds 4480 too.
    FORWARD_PORT=$(free_port $((TUNNEL_PORT == 4480 ? 4481 : 4480)) 4499)
    REDIS_PORT=$(free_port 6379 6999)
    DIRECT_URL=http://127.0.0.1:$NGINX_PORT/1k.bin
    TUNNEL_HOST=bench.localhost:$HTTP_PORT
    # The benchmark client; the log manager is named because jboss-logmanager is on the test
    # classpath, and it warns when it is found without being asked for.
    CLIENT=(java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CLIENT_CP"
        io.tunneld.bench.BenchClient --token "$TOKEN")

    start_nginx
    start_iperf3
    log "idle RSS with no JVM flags, with a 512 MiB container's, then with C1 only as well"
    idle_rss BARE_RSS_KB
    idle_rss CONTAINER_RSS_KB "${CONTAINER_FLAGS[@]}"
    idle_rss CONTAINER_C1_RSS_KB "${CONTAINER_FLAGS[@]}" -XX:TieredStopAtLevel=1
    measure_startup
    sleep "$IDLE_WAIT"
    IDLE_RSS_KB=$(rss_kb "$TUNNELD_PID")   # before any load
    log "measuring $IDLE_CONTROLS idle controls"
    measure_idle_controls
    # The cluster and the first client start together; the cluster's client needs replica A.
    # (Not during the idle sessions: with two replicas starting meanwhile on a loaded 2-core
    # machine, tunneld's event loops were once held 6 s on their first frames and the server
    # closed an idle session's control connection.)
    launch_cluster
    launch_client CLIENT_PID "$OUT/client.log" 127.0.0.1
    cluster_ready
    launch_client CLUSTER_CLIENT_PID "$OUT/cluster-client.log" "$REPLICA_A"
    client_ready "$CLIENT_PID" "$OUT/client.log"
    client_ready "$CLUSTER_CLIENT_PID" "$OUT/cluster-client.log"
    watch tunneld "$TUNNELD_PID"
    watch client "$CLIENT_PID"
    watch cluster-client "$CLUSTER_CLIENT_PID"
    metrics_hosts[tunneld]=127.0.0.1
    wait_until "$TUNNELD_PID" 10 "the tunnels through tunneld" "$OUT/tunneld.log" serves_route tunnel
    # Replica B learns the session and its routes from Redis's announcements, a moment later.
    wait_until "$REPLICA_B_PID" 15 "the tunnels through replica B" "$OUT/replica-b.log" serves_route cluster
    run_scenarios
    report
}

main
