"""Prints the Markdown results table of src/bench/run.sh.

Reads the raw outputs run.sh keeps in its output directory (wrk-SCENARIO-ROUTE-ROUND.txt,
iperf3-ROUTE-ROUND.json, cpu-SCENARIO-ROUTE-ROUND.txt, and each tunneld's metrics before and
after each run, metrics-SCENARIO-ROUTE-ROUND-{before,after}-PROCESS.txt; ROUTE being direct,
tunnel or cluster) and takes the figures run.sh measured itself (start-up, RSS) as options.
Of several rounds, each scenario and route shows the round with the median ratio to direct
(for latency, the median p99 difference), and lists the ratios of all rounds.
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


# Routes through tunneld, and the processes each one adds to the load generator and the local
# service, in the CPU table's columns.
ROUTES = {"tunnel": ("tunneld", None, "client", None),
          "cluster": ("replica-a", "replica-b", "cluster-client", "redis")}
SCENARIOS = [
    # label, name, local service, unit, scale, work(out, route, round) -> (amount, seconds)
    ("HTTP keep-alive", "keepalive", "nginx", "µs/request", 1e6,
     lambda out, route, r: requests(out / f"wrk-keepalive-{route}-{r}.txt")),
    ("HTTP new connection", "close", "nginx", "µs/request", 1e6,
     lambda out, route, r: requests(out / f"wrk-close-{route}-{r}.txt")),
    ("TCP bulk", "tcp", "iperf3", "ms/GiB", 1e3, lambda out, route, r: gibibytes(out / f"iperf3-{route}-{r}.json")),
]


def cpu_rows(out, chosen, several):
    """Rows of CPU time per unit of work by process, for each scenario direct (in the round
    chosen for tunneld), through tunneld and through the cluster (each in its chosen round),
    and for each route the ratio to direct that the machine's cores would allow if tunneld (or
    the replicas and Redis) used no CPU at all while the others cost what they cost here: an
    upper bound for any server with this client."""
    cores = len(os.sched_getaffinity(0))   # as nproc counts them
    rows, ceilings = [], {route: [] for route in ROUTES}
    for label, name, service, unit, scale, work in SCENARIOS:
        for route in ("direct", *ROUTES):
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
    args = parser.parse_args()
    out = args.dir
    rounds = range(1, round_count(out) + 1)

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
        for route in ROUTES:
            rates = list(zip(direct, [wrk(out / f"wrk-{scenario}-{route}-{r}.txt")[0] for r in rounds]))
            ratios, r = ratios_of(scenario, route, rates)
            cells += [f"{three_figures(rates[r - 1][1])} {unit}", ratio_cell(ratios, r, percent)]
        rows.append((label, f"{three_figures(direct[chosen[scenario, 'tunnel'] - 1])} {unit}", *cells))

    rate_row("HTTP keep-alive, 50 connections, 1 KiB body", "keepalive", "req/s")
    rate_row("HTTP new connection per request, 20 connections, 1 KiB body", "close", "req/s")

    def tcp_cell(route, r, rate):
        silent, seconds = silent_seconds(out / f"iperf3-{route}-{r}.json")
        return f"{rate:.2f} Gbit/s" + (f", nothing in {silent} of {seconds} s" if silent else "")

    direct = [gbits(out / f"iperf3-direct-{r}.json") for r in rounds]
    cells = []
    for route in ROUTES:
        rates = list(zip(direct, [gbits(out / f"iperf3-{route}-{r}.json") for r in rounds]))
        ratios, r = ratios_of("tcp", route, rates)
        stalled = [str(n) for n in rounds if n != r and silent_seconds(out / f"iperf3-{route}-{n}.json")[0]]
        stall_note = f"; nothing moved for seconds in round {', '.join(stalled)}" if stalled else ""
        cells += [tcp_cell(route, r, rates[r - 1][1]), ratio_cell(ratios, r, percent) + stall_note]
    rows.append(("TCP bulk, iperf3, 1 stream", tcp_cell("direct", chosen["tcp", "tunnel"],
                                                        direct[chosen["tcp", "tunnel"] - 1]), *cells))

    latency = {route: [wrk(out / f"wrk-latency-{route}-{n}.txt") for n in rounds] for route in ("direct", *ROUTES)}
    for route in ROUTES:
        chosen["latency", route] = median_round([through[1][99] - direct[1][99]
                                                 for direct, through in zip(latency["direct"], latency[route])])
    for p in (50, 99):
        cells = []
        for route in ROUTES:
            r = chosen["latency", route]
            diffs = [through[1][p] - direct[1][p] for direct, through in zip(latency["direct"], latency[route])]
            cells += [f"{latency[route][r - 1][1][p]:.2f} ms", ratio_cell(diffs, r, lambda x: f"{x:+.2f} ms")]
        direct = latency["direct"][chosen["latency", "tunnel"] - 1][1][p]
        rows.append((f"latency p{p} at ~1,000 req/s", f"{direct:.2f} ms", *cells))

    def single(label, value, note=""):
        """A row measured on the single tunneld only."""
        rows.append((label, "", value, note, "", ""))

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
        f"{latency[route][chosen['latency', 'tunnel' if route == 'direct' else route] - 1][0]:,.0f} req/s {where}"
        for route, where in (("direct", "direct"), ("tunnel", "through tunneld"), ("cluster", "through the cluster")))
    print(args.header)
    print()
    print("| scenario | direct | through tunneld | ratio | through a cluster of 2 | ratio |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Cluster: two replicas sharing a Redis; the client's control and proxy connections go to replica A, "
          "public traffic enters replica B, so every public connection takes one extra hop (B to A).")
    print(f"Latency runs achieved {latency_rates}.")
    if len(rounds) > 1:
        print(f"Each scenario ran {len(rounds)} times, direct, through tunneld, then through the cluster; shown for "
              "each route is the round with the median ratio (latency: the median p99 difference), with its CPU "
              "time below, and direct in tunneld's round.")
    print()
    print("CPU time per unit of work in the measured runs (user + system, all threads), by process:")
    print()
    print("| scenario | route | load generator | local service | tunneld / replica A | replica B | client "
          "| redis-server | all |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows, ceilings = cpu_rows(out, chosen, len(rounds) > 1)
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Ratio if tunneld used no CPU and the others cost what they cost here (the load keeps "
          "every core busy): " + ", ".join(ceilings["tunnel"]) + "; through the cluster, if the replicas and "
          "Redis used none: " + ", ".join(ceilings["cluster"]) + ".")
    for line in proxy_notes(out, chosen):
        print(line)
    for route in ("direct", *ROUTES):
        for path in sorted(out.glob(f"wrk-*-{route}-*.txt")):
            errors = re.search(r"^\s*Socket errors:.*$", path.read_text(), re.M)
            if errors:
                print(f"{path.name}: {errors.group(0).strip()}")


if __name__ == "__main__":
    main()
