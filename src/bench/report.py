"""Prints the Markdown results table of src/bench/run.sh.

Reads the raw outputs run.sh keeps in its output directory (wrk-SCENARIO-ROUTE-ROUND.txt,
iperf3-ROUTE-ROUND.json, cpu-SCENARIO-ROUTE-ROUND.txt, ROUTE being direct or tunnel) and
takes the figures run.sh measured itself (start-up, RSS) as options. Of several rounds, each
scenario shows the round with the median ratio (for latency, the median p99 difference), and
lists the ratios of all rounds.
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


def cpu_rows(out, chosen):
    """Rows of CPU time per unit of work by process, in the round chosen[scenario] of each
    scenario, and for each scenario the ratio to direct that the machine's cores would allow
    if tunneld used no CPU at all while the others cost what they cost here: an upper bound
    for any server with this client."""
    scenarios = [
        ("HTTP keep-alive", "keepalive", "nginx", "µs/request", 1e6,
         lambda route, r: requests(out / f"wrk-keepalive-{route}-{r}.txt")),
        ("HTTP new connection", "close", "nginx", "µs/request", 1e6,
         lambda route, r: requests(out / f"wrk-close-{route}-{r}.txt")),
        ("TCP bulk", "tcp", "iperf3", "ms/GiB", 1e3, lambda route, r: gibibytes(out / f"iperf3-{route}-{r}.json")),
    ]
    cores = len(os.sched_getaffinity(0))   # as nproc counts them
    rows, ceilings = [], []
    for label, name, service, unit, scale, work in scenarios:
        r = chosen[name]
        for route in ("direct", "tunnel"):
            amount, seconds = work(route, r)
            per = {k: v * scale / amount for k, v in cpu_seconds(out / f"cpu-{name}-{route}-{r}.txt").items()}
            parts = [per["load"], per[service]]
            if route == "tunnel":
                parts += [per["tunneld"], per["client"]]
                ceiling = cores * scale / (sum(parts) - per["tunneld"])
                ceilings.append(f"{label.lower()} {ceiling / direct_rate:.0%}")
            else:
                direct_rate = amount / seconds
            cells = [f"{x:,.1f}" for x in parts] + [""] * (4 - len(parts))   # four process columns
            rows.append((label, route, *cells, f"{sum(parts):,.1f} {unit}"))
    return rows, ceilings


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

    def ratios_of(scenario, rates):
        """Each round's tunnel/direct ratio; records the median round as the scenario's."""
        ratios = [tunnel / direct for direct, tunnel in rates]
        chosen[scenario] = median_round(ratios)
        return ratios, chosen[scenario]

    def rate_row(label, scenario, unit):
        rates = [(wrk(out / f"wrk-{scenario}-direct-{r}.txt")[0], wrk(out / f"wrk-{scenario}-tunnel-{r}.txt")[0])
                 for r in rounds]
        ratios, r = ratios_of(scenario, rates)
        direct, tunnel = rates[r - 1]
        rows.append((label, f"{three_figures(direct)} {unit}", f"{three_figures(tunnel)} {unit}",
                     ratio_cell(ratios, r, percent)))

    rate_row("HTTP keep-alive, 50 connections, 1 KiB body", "keepalive", "req/s")
    rate_row("HTTP new connection per request, 20 connections, 1 KiB body", "close", "req/s")

    rates = [(gbits(out / f"iperf3-direct-{r}.json"), gbits(out / f"iperf3-tunnel-{r}.json")) for r in rounds]
    ratios, r = ratios_of("tcp", rates)
    silent = {route: silent_seconds(out / f"iperf3-{route}-{r}.json") for route in ("direct", "tunnel")}
    cells = [f"{rate:.2f} Gbit/s" + (f", nothing in {silent[route][0]} of {silent[route][1]} s"
                                     if silent[route][0] else "")
             for route, rate in zip(("direct", "tunnel"), rates[r - 1])]
    stalled = [str(n) for n in rounds if n != r and silent_seconds(out / f"iperf3-tunnel-{n}.json")[0]]
    stall_note = f"; nothing moved for seconds in round {', '.join(stalled)}" if stalled else ""
    rows.append(("TCP bulk, iperf3, 1 stream", *cells, ratio_cell(ratios, r, percent) + stall_note))

    latency = [(wrk(out / f"wrk-latency-direct-{n}.txt"), wrk(out / f"wrk-latency-tunnel-{n}.txt")) for n in rounds]
    r = median_round([tunnel[1][99] - direct[1][99] for direct, tunnel in latency])
    (direct_rate, direct_lat), (tunnel_rate, tunnel_lat) = latency[r - 1]
    for p in (50, 99):
        diffs = [tunnel[1][p] - direct[1][p] for direct, tunnel in latency]
        rows.append((f"latency p{p} at ~1,000 req/s", f"{direct_lat[p]:.2f} ms", f"{tunnel_lat[p]:.2f} ms",
                     ratio_cell(diffs, r, lambda x: f"{x:+.2f} ms")))

    rows.append(("idle RSS, run command (`@jvm.options`)", "", f"{args.idle_rss_kb / 1024:.0f} MiB", ""))
    rows.append(("idle RSS, no JVM flags", "", f"{args.bare_rss_kb / 1024:.0f} MiB", ""))
    rows.append(("idle RSS, JVM flags of a 512 MiB container", "", f"{args.container_rss_kb / 1024:.0f} MiB", ""))
    rows.append(("idle RSS, same plus `-XX:TieredStopAtLevel=1`", "", f"{args.container_c1_rss_kb / 1024:.0f} MiB", ""))
    added_kb = args.controls_rss_after_kb - args.controls_rss_before_kb
    rows.append((f"{args.idle_controls:,} idle controls × 2 tunnels (after {args.warm_controls:,} opened and "
                 "closed; full GC and trim)", "",
                 f"{added_kb / 1024:+.0f} MiB",
                 f"{added_kb / args.idle_controls:.0f} KiB/control"))
    launches = len(args.startup_s)
    spread = f" ({min(args.startup_s):.2f} to {max(args.startup_s):.2f} s)" if launches > 1 else ""
    rows.append((f"start-up to ready, median of {launches} launch{'es' if launches > 1 else ''}", "",
                 f"{statistics.median(args.startup_s):.2f} s{spread}",
                 f"Quarkus: started in {statistics.median(args.quarkus_started):.2f} s"))

    print(args.header)
    print()
    print("| scenario | direct | through tunneld | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"Latency runs achieved {direct_rate:,.0f} req/s direct and {tunnel_rate:,.0f} req/s through tunneld.")
    if len(rounds) > 1:
        print(f"Each scenario ran {len(rounds)} times, direct then tunnel; shown is the round with the median "
              "ratio (latency: the median p99 difference), with its CPU time below.")
    print()
    print("CPU time per unit of work in the measured runs (user + system, all threads), by process:")
    print()
    print("| scenario | route | load generator | local service | tunneld | client | all |")
    print("|---|---|---|---|---|---|---|")
    rows, ceilings = cpu_rows(out, chosen)
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("Ratio if tunneld used no CPU and the others cost what they cost here (the load keeps "
          "every core busy): " + ", ".join(ceilings) + ".")
    for route in ("direct", "tunnel"):
        for path in sorted(out.glob(f"wrk-*-{route}-*.txt")):
            errors = re.search(r"^\s*Socket errors:.*$", path.read_text(), re.M)
            if errors:
                print(f"{path.name}: {errors.group(0).strip()}")


if __name__ == "__main__":
    main()
