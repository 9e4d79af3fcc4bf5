"""Prints the Markdown results table of src/bench/run.sh.

Reads the raw outputs run.sh keeps in its output directory (wrk-SCENARIO-ROUTE-ROUND.txt,
iperf3-WAY-ROUTE-ROUND.json, cpu-SCENARIO-ROUTE-ROUND.txt, and each tunneld's metrics before
and after each run, metrics-SCENARIO-ROUTE-ROUND-{before,after}-PROCESS.txt; ROUTE being
direct, tunnel, cluster or ngrokd, WAY upload or download) and takes the figures run.sh
measured itself (start-up, RSS) as options. Of several rounds, each scenario and route shows
the round with the median ratio to direct (for latency, the median p99 difference), and lists
the ratios of all rounds. When ngrokd 1.7 ran too, a side-by-side table compares, round by
round, tunneld's ratio to direct (with tunneld's client) with ngrokd's (with the Go client).
"""
import argparse
import json
import os
import pathlib
import re
import statistics

UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(path):
    """Requests/sec and latency percentiles (ms) from wrk's text output."""
    text = path.read_text()
    rate = float(re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1))
    percentiles = {
        int(p): float(value) * UNIT_MS[unit]
        for p, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    }
    return rate, percentiles


def requests(path):
    """How many requests wrk completed, and in how many seconds."""
    count, seconds = re.search(r"^\s*(\d+) requests in ([\d.]+)s", path.read_text(), re.M).groups()
    return int(count), float(seconds)


def gbits(path):
    return json.loads(path.read_text())["end"]["sum_received"]["bits_per_second"] / 1e9


def silent_seconds(path):
    """Seconds of an iperf3 run in which nothing arrived, and the run's seconds: a stall."""
    intervals = json.loads(path.read_text())["intervals"]
    return sum(1 for i in intervals if i["sum"]["bytes"] == 0), len(intervals)


def gibibytes(path):
    """GiB iperf3 received, and in how many seconds."""
    received = json.loads(path.read_text())["end"]["sum_received"]
    return received["bytes"] / 2**30, received["seconds"]


def three_figures(x):
    """44,812.3 -> '44,800': wrk's rates do not repeat to more than three figures."""
    return f"{float(f'{x:.3g}'):,.0f}"


def cpu_seconds(path):
    """Process -> CPU seconds, from a cpu-*.txt file of run.sh."""
    return {name: float(value) for name, value in (line.split() for line in path.read_text().splitlines())}


def median_round(values):
    """The round (from 1) whose value is the median; of two middle ones, the lower."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    return order[(len(order) - 1) // 2] + 1


def round_count(out):
    return len(list(out.glob("wrk-keepalive-direct-*.txt")))


def metrics(path):
    """(name, labels) -> value, from the tunneld_* lines of /q/metrics that run.sh kept."""
    values = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^(\w+)(?:\{(.*)\})?\s+(\S+)", line)
        if m:
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
            values[(m.group(1), labels)] = float(m.group(3))
    return values


def metric_delta(out, run, role, name, **labels):
    """How much metric NAME (summed over series with these labels) grew on ROLE during RUN."""
    def total(when):
        path = out / f"metrics-{run}-{when}-{role}.txt"
        return sum(v for (n, ls), v in metrics(path).items() if n == name and set(labels.items()) <= ls)
    return total("after") - total("before")


# Routes through a tunnel server, and the processes each one adds to the load generator and the
# local service, in the CPU table's columns: server (or replica A), replica B, client, Redis.
ROUTES = {"tunnel": ("tunneld", None, "client", None),
          "cluster": ("replica-a", "replica-b", "cluster-client", "redis"),
          "ngrokd": ("ngrokd", None, "go-client", None)}
ROUTE_NAMES = {"tunnel": "tunneld", "cluster": "a cluster of 2", "ngrokd": "ngrokd 1.7"}
TCP_WAYS = (("upload", "visitor to service"), ("download", "service to visitor"))
SCENARIOS = [
    # label, name, local service, unit, scale, work(out, route, round) -> (amount, seconds)
    ("HTTP keep-alive", "keepalive", "nginx", "µs/request", 1e6,
     lambda out, route, r: requests(out / f"wrk-keepalive-{route}-{r}.txt")),
    ("HTTP new connection", "close", "nginx", "µs/request", 1e6,
     lambda out, route, r: requests(out / f"wrk-close-{route}-{r}.txt")),
] + [(f"TCP bulk, {label}", f"tcp-{way}", "iperf3", "ms/GiB", 1e3,
      lambda out, route, r, way=way: gibibytes(out / f"iperf3-{way}-{route}-{r}.json")) for way, label in TCP_WAYS]

# The targets for tunneld with its client against ngrokd 1.7 with the Go client, each
# route's figure taken as a ratio to direct: (label, scenario, higher is better, target).
TARGETS = [("HTTP keep-alive throughput", "keepalive", True, 2.0),
           ("HTTP new connection per request", "close", True, 8.0),
           ("TCP bulk, visitor to service", "tcp-upload", True, 1.1),
           ("TCP bulk, service to visitor", "tcp-download", True, 1.1),
           ("keep-alive latency p99 at ~1,000 req/s", "latency", False, 0.3)]


def routes_run(out):
    """The routes of this run, ngrokd only if it ran."""
    return [route for route in ROUTES if (out / f"wrk-keepalive-{route}-1.txt").exists()]


def cpu_rows(out, chosen, several):
    """Rows of CPU time per unit of work by process, for each scenario direct (in the round
    chosen for tunneld), through tunneld, the cluster and ngrokd (each in its chosen round),
    and for each route the ratio to direct that the machine's cores would allow if the server
    (tunneld, the replicas and Redis, ngrokd) used no CPU at all while the others cost what
    they cost here: an upper bound for any server with that client."""
    cores = len(os.sched_getaffinity(0))   # as nproc counts them
    routes = routes_run(out)
    rows, ceilings = [], {route: [] for route in routes}
    for label, name, service, unit, scale, work in SCENARIOS:
        for route in ("direct", *routes):
            r = chosen[name, "tunnel" if route == "direct" else route]
            amount, seconds = work(out, route, r)
            per = {k: v * scale / amount for k, v in cpu_seconds(out / f"cpu-{name}-{route}-{r}.txt").items()}
            cells = [per["load"], per[service]] + [None] * 4
            if route != "direct":
                cells[2:] = [per[role] if role else None for role in ROUTES[route]]
                client = per[ROUTES[route][2]]
                direct_amount, direct_seconds = work(out, "direct", r)
                ceiling = cores * scale / (per["load"] + per[service] + client)
                ceilings[route].append(f"{label.lower()} {ceiling * direct_seconds / direct_amount:.0%}")
            total = sum(x for x in cells if x is not None)
            rows.append((label, route + (f", round {r}" if several else ""),
                         *("" if x is None else f"{x:,.1f}" for x in cells), f"{total:,.1f} {unit}"))
    return rows, ceilings


def proxy_notes(out, chosen):
    """What the metrics say of the cluster's extra steps: each public connection's wait for a
    proxy in the new-connection runs, the claims replica B made on A, and Redis's share."""
    r_tunnel, r_cluster = chosen["close", "tunnel"], chosen["close", "cluster"]

    def mean_wait_ms(run, role):
        count = metric_delta(out, run, role, "tunneld_proxy_wait_seconds_count", outcome="found")
        total = metric_delta(out, run, role, "tunneld_proxy_wait_seconds_sum", outcome="found")
        return 1e3 * total / count if count else float("nan")

    claims = metric_delta(out, f"close-cluster-{r_cluster}", "replica-b", "tunneld_cluster_forwarded_total",
                          direction="out", reason="http")
    answered, _ = requests(out / f"wrk-close-cluster-{r_cluster}.txt")
    lines = [f"Wait for a proxy per public connection in those new-connection runs "
             f"(`tunneld_proxy_wait_seconds`): {mean_wait_ms(f'close-tunnel-{r_tunnel}', 'tunneld'):.2f} ms "
             f"on tunneld, {mean_wait_ms(f'close-cluster-{r_cluster}', 'replica-b'):.2f} ms on replica B "
             f"(asking A, its grant, the claim connection to A); B claimed {claims:,.0f} proxies on A "
             f"for {answered:,} requests answered."]
    cluster_runs = sorted(p.name[len("cpu-"):-len(".txt")] for p in out.glob("cpu-*-cluster-*.txt"))
    calls = {role: sum(metric_delta(out, run, role, "tunneld_cluster_redis_seconds_count") for run in cluster_runs)
             for role in ("replica-a", "replica-b")}
    redis_cpu = {route: sum(cpu_seconds(out / f"cpu-{run.replace('-cluster-', f'-{route}-')}.txt")["redis"]
                            for run in cluster_runs) for route in ("cluster", "direct")}
    lines.append(f"Redis in the {len(cluster_runs)} measured cluster runs: {calls['replica-a']:,.0f} calls from "
                 f"replica A, {calls['replica-b']:,.0f} from B, {redis_cpu['cluster'] * 1e3:,.0f} ms of "
                 f"redis-server CPU in all (in as many direct runs, with no traffic through the cluster: "
                 f"{redis_cpu['direct'] * 1e3:,.0f} ms).")
    return lines


def comparison_rows(out, rounds):
    """The side-by-side table: for each target, tunneld's ratio to direct and ngrokd's in the
    round where tunneld÷ngrokd is the median, that quotient in every round (both routes
    measured against the same direct run of their round), the target and whether the median
    meets it."""
    rows = []
    for label, scenario, higher, target in TARGETS:
        def ratio(route, r):
            if scenario == "latency":
                return wrk(out / f"wrk-latency-{route}-{r}.txt")[1][99] / wrk(
                    out / f"wrk-latency-direct-{r}.txt")[1][99]
            if scenario.startswith("tcp-"):
                way = scenario[len("tcp-"):]
                return gbits(out / f"iperf3-{way}-{route}-{r}.json") / gbits(out / f"iperf3-{way}-direct-{r}.json")
            return wrk(out / f"wrk-{scenario}-{route}-{r}.txt")[0] / wrk(out / f"wrk-{scenario}-direct-{r}.txt")[0]

        pairs = [(ratio("tunnel", r), ratio("ngrokd", r)) for r in rounds]
        quotients = [t / n for t, n in pairs]
        r = median_round(quotients)
        q = quotients[r - 1]
        fmt = (lambda x: f"{x:.0%}") if higher else (lambda x: f"{x:.2f}x")
        met = q >= target if higher else q <= target
        hits = sum(1 for x in quotients if (x >= target if higher else x <= target))
        others = f" ({', '.join(f'{x:.2f}x' for x in quotients)})" if len(quotients) > 1 else ""
        rows.append((label, fmt(pairs[r - 1][0]), fmt(pairs[r - 1][1]), f"{q:.2f}x{others}",
                     f"{'≥' if higher else '≤'} {target:g}x",
                     ("yes" if met else "no") + (f" ({hits} of {len(quotients)} rounds)" if len(quotients) > 1 else "")))
    return rows


def comparison_ceilings(out, rounds):
    """For each throughput target, the largest tunneld÷ngrokd this machine allows in the
    median round: if tunneld and its client used no CPU at all, the load generator and the
    local service (at their cost per unit through tunneld) could use every core; divided by
    what ngrokd with the Go client achieved in that round."""
    cores = len(os.sched_getaffinity(0))
    notes = []
    for label, name, service, unit, scale, work in SCENARIOS:
        bounds = []
        for r in rounds:
            amount, _ = work(out, "tunnel", r)
            cpu = cpu_seconds(out / f"cpu-{name}-tunnel-{r}.txt")
            free_rate = cores * amount / (cpu["load"] + cpu[service])
            ngrokd_amount, ngrokd_seconds = work(out, "ngrokd", r)
            bounds.append(free_rate / (ngrokd_amount / ngrokd_seconds))
        notes.append(f"{label.lower()} {statistics.median(bounds):.1f}x")
    return notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=pathlib.Path, required=True)
    parser.add_argument("--header", required=True)
    parser.add_argument("--startup-s", type=float, nargs="+", required=True, help="launch to ready, per launch")
    parser.add_argument("--quarkus-started", type=float, nargs="+", required=True,
                        help="Quarkus's own 'started in' figure, per launch")
    parser.add_argument("--idle-rss-kb", type=int, required=True)
    parser.add_argument("--bare-rss-kb", type=int, required=True)
    parser.add_argument("--container-rss-kb", type=int, required=True)
    parser.add_argument("--container-c1-rss-kb", type=int, required=True)
    parser.add_argument("--idle-controls", type=int, required=True)
    parser.add_argument("--warm-controls", type=int, required=True)
    parser.add_argument("--controls-rss-before-kb", type=int, required=True)
    parser.add_argument("--controls-rss-after-kb", type=int, required=True)
    parser.add_argument("--certificates", default="", help="the key each server's certificate has")
    args = parser.parse_args()
    out = args.dir
    rounds = range(1, round_count(out) + 1)
    routes = routes_run(out)

    rows = []
    chosen = {}

    def ratio_cell(ratios, r, fmt):
        """The chosen round's ratio, and every round's if there were several."""
        others = f" (rounds: {', '.join(fmt(x) for x in ratios)})" if len(ratios) > 1 else ""
        return fmt(ratios[r - 1]) + others

    def percent(x):
        return f"{x:.0%}"

    def ratios_of(scenario, route, rates):
        """Each round's ratio of ROUTE to direct; records the median round as the scenario's."""
        ratios = [through / direct for direct, through in rates]
        chosen[scenario, route] = median_round(ratios)
        return ratios, chosen[scenario, route]

    def rate_row(label, scenario, unit):
        direct = [wrk(out / f"wrk-{scenario}-direct-{r}.txt")[0] for r in rounds]
        cells = []
        for route in routes:
            rates = list(zip(direct, [wrk(out / f"wrk-{scenario}-{route}-{r}.txt")[0] for r in rounds]))
            ratios, r = ratios_of(scenario, route, rates)
            cells += [f"{three_figures(rates[r - 1][1])} {unit}", ratio_cell(ratios, r, percent)]
        rows.append((label, f"{three_figures(direct[chosen[scenario, 'tunnel'] - 1])} {unit}", *cells))

    rate_row("HTTP keep-alive, 50 connections, 1 KiB body", "keepalive", "req/s")
    rate_row("HTTP new connection per request, 20 connections, 1 KiB body", "close", "req/s")

    for way, way_label in TCP_WAYS:
        def tcp_cell(route, r, rate):
            silent, seconds = silent_seconds(out / f"iperf3-{way}-{route}-{r}.json")
            return f"{rate:.2f} Gbit/s" + (f", nothing in {silent} of {seconds} s" if silent else "")

        scenario = f"tcp-{way}"
        direct = [gbits(out / f"iperf3-{way}-direct-{r}.json") for r in rounds]
        cells = []
        for route in routes:
            rates = list(zip(direct, [gbits(out / f"iperf3-{way}-{route}-{r}.json") for r in rounds]))
            ratios, r = ratios_of(scenario, route, rates)
            stalled = [str(n) for n in rounds
                       if n != r and silent_seconds(out / f"iperf3-{way}-{route}-{n}.json")[0]]
            stall_note = f"; nothing moved for seconds in round {', '.join(stalled)}" if stalled else ""
            cells += [tcp_cell(route, r, rates[r - 1][1]), ratio_cell(ratios, r, percent) + stall_note]
        rt = chosen[scenario, "tunnel"]
        rows.append((f"TCP bulk, {way_label}, iperf3, 1 stream", tcp_cell("direct", rt, direct[rt - 1]), *cells))

    latency = {route: [wrk(out / f"wrk-latency-{route}-{n}.txt") for n in rounds] for route in ("direct", *routes)}
    for route in routes:
        chosen["latency", route] = median_round([through[1][99] - direct[1][99]
                                                 for direct, through in zip(latency["direct"], latency[route])])
    for p in (50, 99):
        cells = []
        for route in routes:
            r = chosen["latency", route]
            diffs = [through[1][p] - direct[1][p] for direct, through in zip(latency["direct"], latency[route])]
            cells += [f"{latency[route][r - 1][1][p]:.2f} ms", ratio_cell(diffs, r, lambda x: f"{x:+.2f} ms")]
        direct = latency["direct"][chosen["latency", "tunnel"] - 1][1][p]
        rows.append((f"latency p{p} at ~1,000 req/s", f"{direct:.2f} ms", *cells))

    def single(label, value, note=""):
        """A row measured on the single tunneld only."""
        rows.append((label, "", value, note, *[""] * (2 * len(routes) - 2)))

    single("idle RSS, run command (`@jvm.options`)", f"{args.idle_rss_kb / 1024:.0f} MiB")
    single("idle RSS, no JVM flags", f"{args.bare_rss_kb / 1024:.0f} MiB")
    single("idle RSS, JVM flags of a 512 MiB container", f"{args.container_rss_kb / 1024:.0f} MiB")
    single("idle RSS, same plus `-XX:TieredStopAtLevel=1`", f"{args.container_c1_rss_kb / 1024:.0f} MiB")
    added_kb = args.controls_rss_after_kb - args.controls_rss_before_kb
    single(f"{args.idle_controls:,} idle controls × 2 tunnels (after {args.warm_controls:,} opened and "
           "closed; full GC and trim)", f"{added_kb / 1024:+.0f} MiB",
           f"{added_kb / args.idle_controls:.0f} KiB/control")
    launches = len(args.startup_s)
    spread = f" ({min(args.startup_s):.2f} to {max(args.startup_s):.2f} s)" if launches > 1 else ""
    single(f"start-up to ready, median of {launches} launch{'es' if launches > 1 else ''}",
           f"{statistics.median(args.startup_s):.2f} s{spread}",
           f"Quarkus: started in {statistics.median(args.quarkus_started):.2f} s")

    latency_rates = ", ".join(
        f"{latency[route][chosen['latency', 'tunnel' if route == 'direct' else route] - 1][0]:,.0f} req/s "
        + ("direct" if route == "direct" else f"through {ROUTE_NAMES[route]}") for route in ("direct", *routes))
    print(args.header)
    print()
    print("| scenario | direct | " + " | ".join(f"through {ROUTE_NAMES[route]} | ratio" for route in routes) + " |")
    print("|---|---|" + "---|---|" * len(routes))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("tunneld and the cluster are driven by tunneld's own client (`quarkus-run.jar client`)"
          + (", ngrokd 1.7 by the Go 1.7 client" if "ngrokd" in routes else "") + ".")
    if args.certificates:
        print(f"Certificates on the tunnel port, whose key signs in every full handshake: {args.certificates}.")
    print("Cluster: two replicas sharing a Redis; the client's control and proxy connections go to replica A, "
          "public traffic enters replica B, so every public connection takes one extra hop (B to A).")
    print(f"Latency runs achieved {latency_rates}.")
    loads = [float(x) for x in (out / "loads.txt").read_text().split()]
    print(f"The machine's 1-minute load average at the start of the measured runs: {min(loads):.1f} to "
          f"{max(loads):.1f} (median {statistics.median(loads):.1f}) on {os.cpu_count()} cores.")
    if len(rounds) > 1:
        print(f"Each scenario ran {len(rounds)} times, direct then through each route; shown for "
              "each route is the round with the median ratio (latency: the median p99 difference), with its CPU "
              "time below, and direct in tunneld's round.")
    if "ngrokd" in routes:
        print()
        print("Side by side, in the same rounds: tunneld with its client against ngrokd 1.7 with the Go client, "
              "each as a ratio to direct (latency: p99 through the route over p99 direct), and tunneld's over "
              "ngrokd's in the round where that quotient is the median" + (" (every round's in brackets)"
                                                                           if len(rounds) > 1 else "") + ":")
        print()
        print("| scenario | tunneld | ngrokd 1.7 | tunneld ÷ ngrokd | target | met |")
        print("|---|---|---|---|---|---|")
        for row in comparison_rows(out, rounds):
            print("| " + " | ".join(row) + " |")
        print()
        print("Largest tunneld ÷ ngrokd the cores allow (median round), if tunneld and its client used no CPU at "
              "all while the load generator and the local service cost what they cost through tunneld: "
              + ", ".join(comparison_ceilings(out, rounds)) + ".")
    print()
    print("CPU time per unit of work in the measured runs (user + system, all threads), by process:")
    print()
    with_ngrokd = "ngrokd" in routes
    print(f"| scenario | route | load generator | local service | server (tunneld / replica A"
          f"{' / ngrokd' if with_ngrokd else ''}) | replica B | client (tunneld's{' / Go 1.7' if with_ngrokd else ''}) "
          "| redis-server | all |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows, ceilings = cpu_rows(out, chosen, len(rounds) > 1)
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Ratio if tunneld used no CPU and the others cost what they cost here (the load keeps "
          "every core busy): " + ", ".join(ceilings["tunnel"]) + "; through the cluster, if the replicas and "
          "Redis used none: " + ", ".join(ceilings["cluster"])
          + ("; through ngrokd, if ngrokd used none: " + ", ".join(ceilings["ngrokd"]) if "ngrokd" in routes else "")
          + ".")
    for line in proxy_notes(out, chosen):
        print(line)
    for route in ("direct", *routes):
        for path in sorted(out.glob(f"wrk-*-{route}-*.txt")):
            errors = re.search(r"^\s*Socket errors:.*$", path.read_text(), re.M)
            if errors:
                print(f"{path.name}: {errors.group(0).strip()}")


if __name__ == "__main__":
    main()
