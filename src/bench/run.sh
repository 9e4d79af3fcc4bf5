#!/usr/bin/env bash
# Benchmark of tunneld against going direct, everything on loopback:
#
#   bash src/bench/run.sh           # full run, about 12 minutes with the build (15 with ngrokd)
#   bash src/bench/run.sh --smoke   # every scenario, short (one to two minutes): CI-safe
#   NGROK1_BIN_DIR=DIR bash src/bench/run.sh   # also through ngrokd 1.7 and its Go client
#
# Installs wrk, iperf3, nginx and redis-server from Debian if missing, builds tunneld if its
# sources changed, then starts nginx (the local service), an iperf3 server, tunneld with
# default settings as the README runs it, and tunneld's own client as users run it
# (`java @jvm.options -jar quarkus-run.jar client ...`, with a 1.x configuration file); then
# a cluster of two tunneld replicas sharing a Redis, with a client of its own. Idle sessions,
# a thousand of them, come from src/bench/idle_sessions.py.
#
# NGROK1_BIN_DIR names a directory holding `ngrokd` and `ngrok`, the original 1.7 server and
# client: build them yourself from their public sources (this repository holds none of
# them, nor a script that fetches or builds them). With it, every scenario also runs through
# ngrokd driven by the Go client, in the same rounds, and the report compares the two.
#
# Each scenario runs direct, through the tunnel, through the cluster (and through ngrokd), in
# rounds; the Markdown table goes to stdout and target/bench/results.md, raw outputs and every
# process's log to target/bench/.
# Everything started here is stopped on exit, also on Ctrl-C or failure.
set -Eeuo pipefail

cd "$(dirname "$0")/../.."
readonly OUT=$PWD/target/bench
readonly TOKEN=bench-token-4f8a2c71
readonly COMMAND="${NGROK1_BIN_DIR:+NGROK1_BIN_DIR=$NGROK1_BIN_DIR }bash src/bench/run.sh${1:+ $1}"

usage() {
    echo "usage: [NGROK1_BIN_DIR=DIR] bash src/bench/run.sh [--smoke]" >&2
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

# First port from $1 to $2 that is not taken (or, with $3 = listening, on which nothing
# listens on any address).
free_port() {
    local port check=${3:-taken}
    for ((port = $1; port <= $2; port++)); do
        if ! "$check" "$port"; then
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
        [[ -z $(find pom.xml src/main -newer "$stamp" -print -quit) ]]; then
        log "tunneld is built and up to date"
    else
        log "building tunneld"
        touch "$stamp.new"
        ./mvnw -B -q -ntp package -DskipTests >"$OUT/build.log" 2>&1 || die "build failed" "$OUT/build.log"
        mv "$stamp.new" "$stamp"
    fi
}

# The original 1.7 programs, when NGROK1_BIN_DIR names them; NGROK1 stays empty otherwise.
find_ngrok1() {
    NGROK1=""
    [[ -n ${NGROK1_BIN_DIR:-} ]] || return 0
    local program
    for program in ngrokd ngrok; do
        [[ -x $NGROK1_BIN_DIR/$program ]] ||
            die "NGROK1_BIN_DIR=$NGROK1_BIN_DIR holds no executable $program (build ngrokd and ngrok 1.7 from their public sources)"
    done
    NGROK1=$(cd "$NGROK1_BIN_DIR" && pwd)
    log "comparing with ngrokd 1.7 and its Go client from $NGROK1"
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

# idle_sessions N: src/bench/idle_sessions.py holding N idle controls with two http tunnels
# each; sets IDLE_CLIENT_PID once all are up.
idle_sessions() {
    # Emptied here, before the script's own redirection, which may come after the first
    # check: an earlier run's line must not pass for this one's.
    : >"$OUT/idle-client.log"
    python3 -B src/bench/idle_sessions.py --server "127.0.0.1:$TUNNEL_PORT" --token "$TOKEN" --sessions "$1" \
        >"$OUT/idle-client.log" 2>&1 &
    IDLE_CLIENT_PID=$!
    started+=("$IDLE_CLIENT_PID")
    # The script itself gives up after 120 s.
    wait_until "$IDLE_CLIENT_PID" 130 "idle_sessions.py" "$OUT/idle-client.log" \
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

# client_config FILE SERVER TCP-PORT: a 1.x client configuration file (as ~/.ngrok) for the
# server at SERVER (host:port): tunnel "bench", http to nginx, and tunnel "iperf", tcp on
# TCP-PORT to the iperf3 server. No inspection page: both clients have one, measured without.
client_config() {
    cat >"$1" <<EOF
server_addr: $2
auth_token: $TOKEN
inspect_addr: disabled
tunnels:
  bench: {proto: {http: "127.0.0.1:$NGINX_PORT"}}
  iperf: {remote_port: $3, proto: {tcp: "127.0.0.1:$IPERF_PORT"}}
EOF
}

# launch_client VAR LOG HOST: starts tunneld's own client as a user runs it (from
# target/quarkus-app, with the run command's @jvm.options, then `client` and the 1.x
# client's arguments) with the benchmark's two tunnels, its control and proxy connections to
# the tunneld at HOST; sets VAR to its pid. It logs at INFO to LOG, which writes no line per
# connection, and skips certificate verification: tunneld's generated one is self-signed.
launch_client() {
    local var=$1 log=$2 host=$3 config=$WORK/$1.yml
    client_config "$config" "$host:$TUNNEL_PORT" "$TCP_PORT"
    : >"$log"   # as in idle_sessions: no line of an earlier run
    (
        cd target/quarkus-app
        exec java @jvm.options -jar quarkus-run.jar client -config="$config" -log=stdout -log-level=INFO \
            -tls-skip-verify start bench iperf
    ) >"$log" 2>&1 &
    printf -v "$var" '%s' "$!"
    started+=("$!")
}

# Whether the client logging to $1 has both tunnels: "Tunnel established at", the line tools
# read in 1.x's log, once per tunnel.
established() {
    awk '/Tunnel established at/ { n++ } END { exit n < 2 }' "$1"
}

# client_ready PID LOG: until that client's tunnels are up.
client_ready() {
    wait_until "$1" 60 "tunneld client" "$2" established "$2"
    grep 'Tunnel established at' "$2" >&2
}

# ngrokd 1.7 on loopback ports of its own, and its Go client with the benchmark's two
# tunnels. Both log errors only: at INFO they write lines for every connection, at WARNING
# still one for most closes. (The Go client logs to stdout; otherwise it would draw its
# terminal screen.) The client verifies ngrokd's certificate unless it is a debug build (as
# `make` builds them): a release build must embed a root that signed ngrokd's certificate
# for 127.0.0.1 (src/bench/README.md says how this repository's figures were made).
start_ngrok1() {
    "$NGROK1/ngrokd" -domain=localhost -httpAddr="127.0.0.1:$NGROKD_HTTP_PORT" -httpsAddr= \
        -tunnelAddr="127.0.0.1:$NGROKD_TUNNEL_PORT" -log=stdout -log-level=ERROR >"$OUT/ngrokd.log" 2>&1 &
    NGROKD_PID=$!
    started+=("$!")
    wait_until "$NGROKD_PID" 10 ngrokd "$OUT/ngrokd.log" listening "$NGROKD_TUNNEL_PORT"
    client_config "$WORK/go-client.yml" "127.0.0.1:$NGROKD_TUNNEL_PORT" "$NGROKD_TCP_PORT"
    "$NGROK1/ngrok" -config="$WORK/go-client.yml" -log=stdout -log-level=ERROR start bench iperf \
        </dev/null >"$OUT/go-client.log" 2>&1 &
    GO_CLIENT_PID=$!
    started+=("$!")
    log "ngrokd 1.7 on 127.0.0.1:$NGROKD_TUNNEL_PORT, public HTTP on $NGROKD_HTTP_PORT, TCP tunnel on $NGROKD_TCP_PORT"
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

# public_host ROUTE: the address public traffic enters on, for route tunnel, cluster or ngrokd.
public_host() {
    case $1 in
        tunnel | ngrokd) echo 127.0.0.1 ;;
        cluster) echo "$REPLICA_B" ;;
    esac
}

# public_http_port ROUTE, public_tcp_port ROUTE: the ports of the tunnels through ROUTE.
public_http_port() {
    if [[ $1 == ngrokd ]]; then echo "$NGROKD_HTTP_PORT"; else echo "$HTTP_PORT"; fi
}
public_tcp_port() {
    if [[ $1 == ngrokd ]]; then echo "$NGROKD_TCP_PORT"; else echo "$TCP_PORT"; fi
}

# serves_route ROUTE: whether GET through ROUTE returns the 1 KiB file and the TCP tunnel's
# port listens there (ngrokd's on all addresses).
serves_route() {
    local host http_port tcp_port listener
    host=$(public_host "$1")
    http_port=$(public_http_port "$1")
    tcp_port=$(public_tcp_port "$1")
    listener="src $host:$tcp_port"
    [[ $1 != ngrokd ]] || listener="sport = :$tcp_port"
    [[ $(curl -sf -H "Host: bench.localhost:$http_port" "http://$host:$http_port/1k.bin" | wc -c) == 1024 &&
        -n $(ss -Hltn "$listener") ]]
}

# certificate_key PORT: the key of the certificate served on 127.0.0.1:PORT ("EC 256-bit",
# "RSA 2048-bit"), or nothing: every full handshake signs with it, so it weighs on the
# new-connection figures (an RSA-4096 signature costs about twelve RSA-2048 ones).
certificate_key() {
    openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null | openssl x509 -noout -text 2>/dev/null |
        awk '/Public Key Algorithm:/ { alg = $NF == "rsaEncryption" ? "RSA" : $NF == "id-ecPublicKey" ? "EC" : $NF }
             /Public-Key: \(/ { gsub(/[()]/, "", $2); bits = $2 }
             END { if (alg != "") printf "%s %s-bit", alg, bits }' || true
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
# request costs. Each tunneld's metrics are saved before and after, outside the timed span, and
# the load average before, in loads.txt.
with_cpu() {
    local run=$1 out=$2 tick i rc=0
    local file=$OUT/cpu-$run.txt before=() after=() load
    shift 2
    tick=$(getconf CLK_TCK)
    save_metrics "$OUT/metrics-$run-before"
    load_average >>"$OUT/loads.txt"
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
        ngrokd) logs=("$OUT/ngrokd.log" "$OUT/go-client.log") ;;
    esac
    die "$why" "${@:3}" "${logs[@]}"
}

# wrk_measure NAME ROUTE ROUND WRK-OPTION...: the measurement (after a warm-up in round 1),
# kept in target/bench/wrk-NAME-ROUTE-ROUND.txt. ROUTE: direct (nginx), tunnel, cluster or
# ngrokd.
wrk_measure() {
    local name=$1 route=$2 round=$3 url=$DIRECT_URL headers=() port
    shift 3
    local out=$OUT/wrk-$name-$route-$round.txt
    if [[ $route != direct ]]; then
        port=$(public_http_port "$route")
        url=http://$(public_host "$route"):$port/1k.bin
        headers=(-H "Host: bench.localhost:$port")   # wrk does not resolve *.localhost
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

# iperf3_measure WAY ROUTE ROUND: one measured iperf3 run (after a warm-up in round 1), WAY
# being upload (the public side sends to the local service) or download (-R: it receives).
iperf3_measure() {
    local way=$1 route=$2 round=$3 host=127.0.0.1 port=$IPERF_PORT reverse=()
    local out=$OUT/iperf3-$way-$route-$round.json
    if [[ $route != direct ]]; then
        host=$(public_host "$route")
        port=$(public_tcp_port "$route")
    fi
    [[ $way == upload ]] || reverse=(-R)
    log "iperf3 $way, $route, round $round of $ROUNDS"
    if ((round == 1)); then
        iperf3 -c "$host" -p "$port" "${reverse[@]}" -t "$WARMUP" -J >"$out" 2>&1 ||
            measurement_failed "$route" "iperf3 warm-up failed ($way, $route)" "$out" "$OUT/iperf3.log"
    fi
    with_cpu "tcp-$way-$route-$round" "$out" iperf3 -c "$host" -p "$port" "${reverse[@]}" -t "$IPERF_TIME" -J ||
        measurement_failed "$route" "iperf3 failed ($way, $route)" "$out" "$OUT/iperf3.log"
}

run_scenarios() {
    local route round way routes=(direct tunnel cluster)
    [[ -z $NGROK1 ]] || routes+=(ngrokd)
    for ((round = 1; round <= ROUNDS; round++)); do
        for route in "${routes[@]}"; do
            wrk_measure keepalive "$route" "$round" -t2 -c50
        done
        for route in "${routes[@]}"; do
            wrk_measure close "$route" "$round" -t2 -c20 -H "Connection: close"
        done
        for way in upload download; do
            for route in "${routes[@]}"; do
                iperf3_measure "$way" "$route" "$round"
            done
        done
        for route in "${routes[@]}"; do
            wrk_measure latency "$route" "$round" -t1 -c10 --latency -s src/bench/delay.lua
        done
    done
}

# The 1-minute load average: how busy the shared machine was.
load_average() {
    cut -d ' ' -f 1 /proc/loadavg
}

report() {
    local header
    header="$(date -u '+%Y-%m-%d %H:%M UTC') · nproc $(nproc) · \
$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) · \
$(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo) · \
$(java -version 2>&1 | sed -n 1p) · load average $LOAD_AT_START at the start, $(load_average) at the end · \
\`$COMMAND\`"
    python3 -B src/bench/report.py --dir "$OUT" --header "$header" \
        --startup-s "${STARTUPS_S[@]}" --quarkus-started "${QUARKUS_STARTED[@]}" --idle-rss-kb "$IDLE_RSS_KB" \
        --bare-rss-kb "$BARE_RSS_KB" --container-rss-kb "$CONTAINER_RSS_KB" \
        --container-c1-rss-kb "$CONTAINER_C1_RSS_KB" \
        --idle-controls "$IDLE_CONTROLS" --warm-controls "$WARM_CONTROLS" --controls-rss-before-kb "$CONTROLS_RSS_BEFORE_KB" \
        --controls-rss-after-kb "$CONTROLS_RSS_AFTER_KB" --certificates "$CERTIFICATES" >"$OUT/results.md"
    cat "$OUT/results.md"
}

main() {
    LOAD_AT_START=$(load_average)
    mkdir -p "$OUT"
    rm -f "$OUT"/wrk-*.txt "$OUT"/iperf3-*.json "$OUT"/cpu-*.txt "$OUT"/metrics-*.txt "$OUT/loads.txt" \
        "$OUT/results.md"
    install_tools
    build
    find_ngrok1
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
    # ngrokd's, in ranges of their own: tunneld's are not bound yet. Its TCP tunnel listens
    # on all addresses, so that port must be free on every one.
    NGROKD_TUNNEL_PORT=$(free_port 14443 14499)
    NGROKD_HTTP_PORT=$(free_port 8900 8999)
    NGROKD_TCP_PORT=$(free_port 11000 11999 listening)
    DIRECT_URL=http://127.0.0.1:$NGINX_PORT/1k.bin

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
    [[ -z $NGROK1 ]] || start_ngrok1
    client_ready "$CLIENT_PID" "$OUT/client.log"
    client_ready "$CLUSTER_CLIENT_PID" "$OUT/cluster-client.log"
    watch tunneld "$TUNNELD_PID"
    watch client "$CLIENT_PID"
    watch cluster-client "$CLUSTER_CLIENT_PID"
    metrics_hosts[tunneld]=127.0.0.1
    wait_until "$TUNNELD_PID" 10 "the tunnels through tunneld" "$OUT/tunneld.log" serves_route tunnel
    # Replica B learns the session and its routes from Redis's announcements, a moment later.
    wait_until "$REPLICA_B_PID" 15 "the tunnels through replica B" "$OUT/replica-b.log" serves_route cluster
    if [[ -n $NGROK1 ]]; then
        wait_until "$GO_CLIENT_PID" 15 "the tunnels through ngrokd" "$OUT/go-client.log" serves_route ngrokd
        watch ngrokd "$NGROKD_PID"
        watch go-client "$GO_CLIENT_PID"
    fi
    CERTIFICATES="tunneld $(certificate_key "$TUNNEL_PORT")"
    [[ -z $NGROK1 ]] || CERTIFICATES+=", ngrokd $(certificate_key "$NGROKD_TUNNEL_PORT")"
    run_scenarios
    report
}

main
