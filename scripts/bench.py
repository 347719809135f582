"""Runs every measurement of scripts/bench and writes BENCHMARKS.md and its chart.

Called by scripts/bench once the binaries, the virtualenvs and the npm packages are in place.
Every number in the report comes from this run; ratios compare tools measured in the same run on
the same files, so they hold across machines where absolute times do not.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPARE = ROOT / "tests" / "bench" / "compare"
# The first answer each binary is timed to, started as Lambda starts it (the DynamoDB store from
# the environment): a route it serves without a store call, and the status it answers there (no
# token is sent: the status sheet and the report answer 401 before they would read the store).
FIRST_ANSWER = {
    "hello-axum": ("/health", 200),
    "dynamodb-floor": ("/health", 200),
    "provrum-api": ("/health", 200),
    "budget-import": ("/template.json", 200),
    "status-sheet": ("/status", 401),
    "quota-report": ("/reports/2025", 401),
}
# The two baselines, built beside the bench (tests/bench/hello.rs, tests/bench/dynamodb_floor.rs).
BASELINES = ["hello-axum", "dynamodb-floor"]
# The four Lambda functions (scripts/lib.sh builds the same four).
FUNCTIONS = [name for name in FIRST_ANSWER if name not in BASELINES]
MB = 1024 * 1024

# The goals (issue 20), each checked against this run's numbers (and drawn as a line on the
# chart, so a missed goal shows as a bar across its line).
GOAL_REALISTIC_VS_OPENPYXL = 20.0
GOAL_STRESS_VS_CALAMINE = 0.5
GOAL_COLDSTART_VS_FLOOR = 1.25
GOAL_COLDSTART_VS_HELLO = 1.5
GOAL_PEAK_RSS = 64 * MB
GOAL_STATUS_P99_MS = 20.0


def run_json(cmd, **kw):
    """Runs `cmd`, which prints one JSON object; stops the bench with its stderr if it fails."""
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)


def log(msg):
    print(f"== {msg}", flush=True)


def pct(values, q):
    """The q-th percentile (0–100) of values, by linear interpolation."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    k = (len(s) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def stats(times_ns):
    ms = [t / 1e6 for t in times_ns]
    return {
        "n": len(ms),
        "median": statistics.median(ms),
        "p10": pct(ms, 10),
        "p90": pct(ms, 90),
        "min": min(ms),
        "max": max(ms),
    }


def fmt_ms(ms):
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 10:
        return f"{ms:.1f} ms"
    if ms >= 1:
        return f"{ms:.2f} ms"
    return f"{ms * 1000:.0f} µs"


def fmt_bytes(n):
    if n >= MB:
        return f"{n / MB:.1f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} bytes"


def fmt_int(n):
    """Digits grouped with spaces, as Swedish readers (and this report) write them."""
    return f"{n:,}".replace(",", " ")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, what):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{what} is not listening on {port}")


# ---------------------------------------------------------------------------------------------
# The measurements


def check_workloads(a, files):
    """The check of each workbook by provrum and by each competitor, with the sums compared.

    The tools take turns in rounds (a fresh process each, with its own warm-up), so a noisy
    minute on a shared machine falls on all of them rather than on one.
    """
    plans = {
        # workload: (rounds, {tool: (runs per round, warm-up runs per round)})
        "realistic": (5, {"provrum": (100, 20), "calamine (Rust)": (100, 20),
                          "openpyxl": (12, 3), "python-calamine": (100, 20), "sheetjs": (40, 10)}),
        "stress": (3, {"provrum": (4, 1), "calamine (Rust)": (4, 1), "openpyxl": (1, 1),
                       "python-calamine": (4, 1), "sheetjs": (2, 1)}),
    }
    commands = {
        "provrum": lambda f, r, w: [a.bench, "check", f, "--runs", r, "--warmup", w],
        "calamine (Rust)": lambda f, r, w: [a.bench, "calamine", f, "--runs", r, "--warmup", w],
        "openpyxl": lambda f, r, w: [a.python, COMPARE / "openpyxl_check.py", f, "--runs", r,
                                     "--warmup", w],
        "python-calamine": lambda f, r, w: [a.python, COMPARE / "calamine_read.py", f, "--runs",
                                            r, "--warmup", w],
        "sheetjs": lambda f, r, w: [a.node, COMPARE / "sheetjs_check.js", f, "--runs", r,
                                    "--warmup", w],
    }
    results = {}
    for workload, (rounds, tools) in plans.items():
        expected = files[workload]
        times = {tool: [] for tool in tools}
        outs = {}
        for round_ in range(rounds):
            for tool, (runs, warmup) in tools.items():
                log(f"check {workload} ({expected['lines']} lines), round {round_ + 1} of "
                    f"{rounds}: {tool}, {runs} runs")
                cmd = [str(c) for c in commands[tool](expected["path"], runs, warmup)]
                out = run_json(cmd)
                if tool == "calamine (Rust)":
                    # The raw cell read: no sums to compare, but every cell of the workbook.
                    if out["cells"] < expected["lines"] * 4:
                        sys.exit(f"calamine read {out['cells']} cells of {workload}")
                    out["version"] = locked_version("calamine")
                    times[tool].extend(out["times_ns"])
                    outs[tool] = out
                    continue
                for key in ("lines", "total_ore", "base_ore"):
                    if out[key] != expected[key]:
                        sys.exit(f"{tool} read {key} = {out[key]} from {workload}, "
                                 f"the workbook has {expected[key]}")
                times[tool].extend(out["times_ns"])
                outs[tool] = out
        results[workload] = {}
        for tool, out in outs.items():
            results[workload][tool] = {"version": out.get("version", ""), **stats(times[tool])}
            if "cells" in out:
                results[workload][tool]["cells"] = out["cells"]
            if tool == "provrum":
                results[workload][tool]["verdict"] = out["verdict"]
    return results


def locked_version(package):
    """The version of `package` in Cargo.lock."""
    lines = (ROOT / "Cargo.lock").read_text().splitlines()
    for i, line in enumerate(lines):
        if line == f'name = "{package}"':
            return lines[i + 1].split('"')[1]
    return "?"


def coldstart(a):
    """Each binary as Lambda starts it: the DynamoDB store and webhook from the environment (the
    endpoint is moto's, though nothing here calls it), the functions as `cargo lambda build`
    builds them (without the embedded store), for this machine's architecture."""
    bins = {name: Path(a.lean if name in FUNCTIONS else a.release) / name for name in FIRST_ANSWER}
    targets = [f"{n}={p}={FIRST_ANSWER[n][0]}={FIRST_ANSWER[n][1]}" for n, p in bins.items()]
    env = {"PROVRUM_STORE": "dynamodb", "PROVRUM_TABLE": "provrum-bench",
           "AWS_REGION": "eu-north-1", "AWS_ACCESS_KEY_ID": "bench",
           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_ENDPOINT_URL": a.moto,
           "PROVRUM_WEBHOOK_URL": "http://127.0.0.1:9/provrum-bench", "RUST_LOG": "warn"}
    log(f"cold start of {', '.join(FIRST_ANSWER)}: {a.coldstart_runs} rounds")
    out = run_json([a.bench, "coldstart", "--runs", str(a.coldstart_runs),
                    *[f"--env={k}={v}" for k, v in env.items()], *targets])
    return {name: {"binary": v["binary"], "path": v["path"], "status": v["status"],
                   "bytes": Path(v["binary"]).stat().st_size, **stats(v["times_ns"])}
            for name, v in out.items()}


def elf_info(path):
    """Size and whether an ELF file still has a symbol table (.symtab), read from its header."""
    import struct

    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit(f"{path} is not a 64-bit ELF file")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    (machine,) = struct.unpack_from("<H", data, 18)
    sections = []
    for i in range(shnum):
        off = shoff + i * shentsize
        name, _, _, _, sh_offset, sh_size = struct.unpack_from("<IIQQQQ", data, off)
        sections.append((name, sh_offset, sh_size))
    _, str_off, _ = sections[shstrndx]

    def name_of(n):
        end = data.index(b"\0", str_off + n)
        return data[str_off + n:end].decode()

    names = {name_of(n) for n, _, _ in sections}
    return {"bytes": len(data), "stripped": ".symtab" not in names and ".debug_info" not in names,
            "arm64": machine == 183}


def artifacts(a):
    out = {}
    for f in FUNCTIONS:
        info = elf_info(Path(a.lambda_dir) / f / "bootstrap")
        if not info["arm64"]:
            sys.exit(f"{f}: not an arm64 executable")
        out[f] = info
    return out


def peak_rss(a, db, token, large, runs=5):
    log(f"peak RSS of budget-import checking {fmt_bytes(large['bytes'])} ({large['lines']} lines): "
        f"{runs} fresh processes")
    samples = [run_json([a.bench, "rss", "--binary", Path(a.release) / "budget-import",
                         "--db", db, "--token", token, large["path"]]) for _ in range(runs)]
    worst = max(samples, key=lambda s: s["peak_bytes"])
    peaks = [s["peak_bytes"] for s in samples]
    return {**worst, "runs": runs, "peaks": peaks, "median_peak_bytes": statistics.median(peaks),
            "p10_peak_bytes": pct(peaks, 10), "p90_peak_bytes": pct(peaks, 90)}


def status_load(a, tmp):
    db = Path(tmp) / "status.db"
    log(f"status sheet: {a.status_provrum} provrum in the embedded store")
    seeded = run_json([a.bench, "seed", db, "--provrum", str(a.status_provrum)])
    port = free_port()
    env = {"PROVRUM_ADDR": f"127.0.0.1:{port}", "PROVRUM_DB": str(db), "RUST_LOG": "warn",
           "PATH": os.environ.get("PATH", "")}
    proc = subprocess.Popen([Path(a.release) / "status-sheet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc, "status-sheet")
        log(f"GET /status under {a.status_rate} requests/s, at most {a.status_connections} in flight,"
            f" {a.status_requests} requests")
        out = run_json([a.bench, "load", "--url", f"http://127.0.0.1:{port}/status",
                        "--token", seeded["token"], "--rate", str(a.status_rate),
                        "--requests", str(a.status_requests),
                        "--connections", str(a.status_connections)])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
    if out["errors"]:
        sys.exit(f"GET /status failed {out['errors']} times under load")
    ms = [t / 1e6 for t in out["times_ns"]]
    return {"n": len(ms), "p50": pct(ms, 50), "p90": pct(ms, 90), "p99": pct(ms, 99),
            "max": max(ms), "rate": out["rate"], "connections": out["connections"],
            "body_bytes": out["body_bytes"], "provrum": a.status_provrum}


def dynamo_calls(a):
    log(f"DynamoDB calls of one GET /status with {a.status_provrum} provrum (moto on {a.moto})")
    return run_json([a.bench, "dynamo-calls", "--endpoint", a.moto, "--provrum",
                     str(a.status_provrum)])


# ---------------------------------------------------------------------------------------------
# The report


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    commit = version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = version(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "rustc": version(["rustc", "--version"]),
        "node": version(["node", "--version"]),
        "python": platform.python_version(),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def verdict(ok):
    return "met" if ok else "**missed**"


def report(r, out_md, chart_rel):
    m = r["machine"]
    chk = r["check"]
    real, stress = chk["realistic"], chk["stress"]
    ratio_openpyxl = real["openpyxl"]["median"] / real["provrum"]["median"]
    ratio_calamine = stress["provrum"]["median"] / stress["python-calamine"]["median"]
    cold = r["coldstart"]
    hello = cold["hello-axum"]["median"]
    floor = cold["dynamodb-floor"]["median"]
    worst_cold = max(FUNCTIONS, key=lambda f: cold[f]["median"])
    ratio_floor = cold[worst_cold]["median"] / floor
    ratio_hello = cold[worst_cold]["median"] / hello
    rss = r["rss"]
    st = r["status"]
    calls = r["dynamo"]["calls"]
    raw_real = real["calamine (Rust)"]["median"]
    raw_stress = stress["calamine (Rust)"]["median"]
    goal_real = real["openpyxl"]["median"] / GOAL_REALISTIC_VS_OPENPYXL
    goal_stress = stress["python-calamine"]["median"] * GOAL_STRESS_VS_CALAMINE
    # Why a goal is missed, from this run's numbers (shown only when missed).
    why = [
        f"The goal is {fmt_ms(goal_real)} a check. calamine's own cell reader — the parser "
        f"provrum reads .xlsx with, in Rust, with no guard and no rules — takes "
        f"{fmt_ms(raw_real)} for this file by itself, "
        f"{raw_real / goal_real:.2f}× the goal; provrum's check is "
        f"{real['provrum']['median'] / raw_real:.1f}× that raw read (the zip guard, the "
        f"stored archive, the cells into the rules' values, every rule). Reaching 20× openpyxl "
        f"needs another .xlsx parser than calamine. provrum is "
        f"{real['python-calamine']['median'] / real['provrum']['median']:.2f}× as fast as "
        f"python-calamine's raw read of the same file.",
        f"The goal is {fmt_ms(goal_stress)} a check. calamine's own cell reader takes "
        f"{fmt_ms(raw_stress)} for this file by itself "
        f"({raw_stress / stress['python-calamine']['median']:.2f}× python-calamine's raw read): "
        f"the parser alone uses {raw_stress / goal_stress:.0%} of the goal. The rest of the check, "
        f"{fmt_ms(stress['provrum']['median'] - raw_stress)}, is the zip guard's checks, the stored "
        f"archive, turning {fmt_int(stress['calamine (Rust)'].get('cells', 0))} cells into the rules' "
        f"values and every rule. Reaching 0.5× needs another .xlsx parser than calamine.",
        "The worst process's peak is over the line; see the runs in *Memory*.",
        f"The slowest function's start beyond the floor is "
        f"{fmt_ms(cold[worst_cold]['median'] - floor)}; tests/bench/fixes.md has where it goes.",
        f"The slowest function's start beyond hello-axum is "
        f"{fmt_ms(cold[worst_cold]['median'] - hello)}, of which the DynamoDB client alone "
        f"(the floor) is {fmt_ms(floor - hello)}.",
        "",
    ]
    goals = [
        ("Realistic workbook: provrum ≥ 20× faster than openpyxl + Python sums",
         f"{ratio_openpyxl:.1f}× ({fmt_ms(real['provrum']['median'])} vs "
         f"{fmt_ms(real['openpyxl']['median'])})", ratio_openpyxl >= GOAL_REALISTIC_VS_OPENPYXL),
        ("Stress workbook: provrum ≤ 0.5× python-calamine's raw read",
         f"{ratio_calamine:.2f}× ({fmt_ms(stress['provrum']['median'])} vs "
         f"{fmt_ms(stress['python-calamine']['median'])})",
         ratio_calamine <= GOAL_STRESS_VS_CALAMINE),
        ("Peak RSS ≤ 64 MiB checking the ~5 MB workbook (worst process)",
         f"{fmt_bytes(rss['peak_bytes'])} (median {fmt_bytes(rss['median_peak_bytes'])}, "
         f"{fmt_bytes(rss['file_bytes'])} file)", rss["peak_bytes"] <= GOAL_PEAK_RSS),
        ("Cold start ≤ 1.25× the DynamoDB-client floor (slowest function)",
         f"{ratio_floor:.2f}× ({worst_cold}: {fmt_ms(cold[worst_cold]['median'])} vs "
         f"{fmt_ms(floor)})", ratio_floor <= GOAL_COLDSTART_VS_FLOOR),
        ("Cold start ≤ 1.5× hello-axum (slowest function)",
         f"{ratio_hello:.2f}× ({worst_cold}: {fmt_ms(cold[worst_cold]['median'])} vs "
         f"{fmt_ms(hello)})", ratio_hello <= GOAL_COLDSTART_VS_HELLO),
        (f"GET /status p99 ≤ 20 ms with {st['provrum']} provrum, locally",
         f"{fmt_ms(st['p99'])} (p50 {fmt_ms(st['p50'])})", st["p99"] <= GOAL_STATUS_P99_MS),
    ]
    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append("Written by `scripts/bench` (one run, this machine); do not edit by hand. Ratios compare "
             "tools measured in the same run on the same files, so they carry over to other "
             "machines where absolute times do not.")
    L.append("")
    L.append(f"Run {m['date']} at commit {m['commit']} on {m['cpu']}, {m['cores']} cores, Linux "
             f"{m['kernel']}; {m['rustc']}, CPython {m['python']}, Node.js {m['node']}. "
             f"Such a shared virtual machine is noisy: between runs a median of well under a "
             f"millisecond can move by half again for every tool at once, so read the sub-"
             f"millisecond rows with their p10 column, the time on a quiet machine.")
    L.append("")
    L.append(f"![The measurements as a chart; each goal is a dashed line]({chart_rel})")
    L.append("")
    L.append("In the chart each goal is a dashed line on the panel it judges, and the bar it judges "
             "is outlined: a missed goal's bar crosses its line, hatched, under a title that says "
             "so.")
    L.append("")
    L.append("## Goals")
    L.append("")
    met = sum(ok for _, _, ok in goals)
    L.append(f"**{met} of {len(goals)} goals met in this run.**")
    L.append("")
    L.append("| Goal | Measured | |")
    L.append("|---|---|---|")
    for goal, measured, ok in goals:
        L.append(f"| {goal} | {measured} | {verdict(ok)} |")
    L.append("")
    for (goal, _, ok), reason in zip(goals, why):
        if not ok:
            L.append(f"*Missed — {goal[0].lower() + goal[1:]}.* {reason or 'See the numbers below.'}")
            L.append("")
    L.append("## Checking a workbook")
    L.append("")
    L.append("Each tool reads the same .xlsx from memory, in its own process, after warm-up runs; "
             "the times are per run. *provrum* is `provrum_workbook::check`: the bounded reader "
             "and every rule (FORM, PLAN, TID, DELT, BUD), with findings located to the cell. "
             "*calamine (Rust)* is calamine's own streaming cell reader over every sheet, the "
             "parser provrum reads .xlsx with, alone: no guard, no rules, no sums (the floor under "
             "provrum's check). "
             "*openpyxl* (read-only mode, its fastest) and *SheetJS* read the workbook and compute "
             "the budget sums (lines, total, Reglab's base funding) as the rules define them; "
             "*python-calamine* is the raw read of every sheet into Python lists, no sums. Every "
             "other tool's sums were checked against the workbook's own before its time counted.")
    L.append("")
    for name, w in (("realistic", real), ("stress", stress)):
        f = r["files"][name]
        L.append(f"**{name.capitalize()}**: {fmt_int(f['lines'])} budget lines, "
                 f"{fmt_bytes(f['bytes'])} (`{Path(f['path']).name}`); provrum's verdict: "
                 f"{w['provrum']['verdict']}.")
        L.append("")
        L.append("| Tool | Version | Runs | Median | p10–p90 | Min–max | × provrum's median |")
        L.append("|---|---|---:|---:|---:|---:|---:|")
        base = w["provrum"]["median"]
        for tool, s in w.items():
            L.append(f"| {tool} | {s['version']} | {s['n']} | {fmt_ms(s['median'])} | "
                     f"{fmt_ms(s['p10'])}–{fmt_ms(s['p90'])} | {fmt_ms(s['min'])}–"
                     f"{fmt_ms(s['max'])} | {s['median'] / base:.2f} |")
        L.append("")
    L.append("## Cold start")
    L.append("")
    L.append("From `exec` of each release binary (a fresh process, the files in the page cache) to "
             "its first answer on loopback, started as Lambda starts it: `PROVRUM_STORE=dynamodb`, "
             "the table, region and credentials in the environment (an SDK client is built; "
             "nothing calls DynamoDB), a webhook URL. The functions are built as `cargo lambda "
             "build` builds them, without the embedded store, for this machine. Each is asked "
             "for a route it answers without reading the store (without a token, the status "
             "sheet and the report answer 401 before they would). *hello-axum* is the smallest "
             "axum server on the same runtime and profile; *dynamodb-floor* is hello-axum that "
             "also builds an `aws-sdk-dynamodb` client from the environment at start, the floor "
             "of any Rust Lambda that talks to DynamoDB. The binaries take turns, round after "
             "round.")
    L.append("")
    L.append("| Binary | First answer | Runs | Median | p10–p90 | × floor | × hello-axum | Size |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, s in cold.items():
        L.append(f"| {name} | `GET {s['path']}` → {s['status']} | {s['n']} | "
                 f"{fmt_ms(s['median'])} | {fmt_ms(s['p10'])}–{fmt_ms(s['p90'])} | "
                 f"{s['median'] / floor:.2f} | {s['median'] / hello:.2f} | "
                 f"{fmt_bytes(s['bytes'])} |")
    L.append("")
    L.append("The four Lambda artifacts, `cargo lambda build --release --arm64` "
             "(`target/lambda/*/bootstrap`, what the deployment zips hold):")
    L.append("")
    L.append("| Function | Size | Stripped |")
    L.append("|---|---:|---|")
    for f, info in r["artifacts"].items():
        L.append(f"| {f} | {fmt_bytes(info['bytes'])} ({fmt_int(info['bytes'])} bytes) | "
                 f"{'yes' if info['stripped'] else 'no'} |")
    L.append("")
    L.append("## Memory")
    L.append("")
    L.append(f"Peak resident set (VmHWM) of the `budget-import` binary (local mode, the embedded "
             f"store) answering `POST /check` for a {fmt_bytes(rss['file_bytes'])} workbook "
             f"({fmt_int(r['files']['large']['lines'])} budget lines), {rss['runs']} fresh "
             f"processes: median {fmt_bytes(rss['median_peak_bytes'])}, p10–p90 "
             f"{fmt_bytes(rss['p10_peak_bytes'])}–{fmt_bytes(rss['p90_peak_bytes'])}, worst "
             f"**{fmt_bytes(rss['peak_bytes'])}** (idle after start "
             f"{fmt_bytes(rss['idle_peak_bytes'])}; the check took {rss['seconds']:.2f} s and "
             f"answered {fmt_bytes(rss['response_bytes'])}).")
    L.append("")
    L.append("## The status sheet")
    L.append("")
    L.append(f"`GET /status` on the `status-sheet` binary with {st['provrum']} provrum in the "
             f"embedded store ({fmt_bytes(st['body_bytes'])} of JSON), from a second process: "
             f"{st['rate']} requests a second on a fixed schedule, at most {st['connections']} in "
             f"flight, latency counted from when each request was due.")
    L.append("")
    L.append("| Requests | p50 | p90 | p99 | Max |")
    L.append("|---:|---:|---:|---:|---:|")
    L.append(f"| {st['n']} | {fmt_ms(st['p50'])} | {fmt_ms(st['p90'])} | {fmt_ms(st['p99'])} | "
             f"{fmt_ms(st['max'])} |")
    L.append("")
    total = sum(calls.values())
    by_op = ", ".join(f"{n} {op}" for op, n in sorted(calls.items()))
    L.append(f"Against DynamoDB (moto), one `GET /status` with {r['dynamo']['provrum']} provrum "
             f"costs **{total} calls**: {by_op} — the token and its organisation (GetItem), all "
             f"organisations and the provrum (Query; one per DynamoDB page of up to 1 MB, and moto "
             f"answers in one page); no Scan, nothing per provrum. `tests/api/costs.rs` asserts "
             f"this for 5 and 250 provrum.")
    L.append("")
    L.append((ROOT / "tests" / "bench" / "fixes.md").read_text().rstrip())
    L.append("")
    L.append(f"The same rows in the run above (commit {m['commit']}): the realistic check "
             f"{fmt_ms(real['provrum']['median'])} median, {fmt_ms(real['provrum']['p10'])} p10; "
             f"the stress check {fmt_ms(stress['provrum']['median'])} median; peak RSS "
             f"{fmt_bytes(rss['peak_bytes'])} for its ~5 MB workbook of "
             f"{fmt_int(r['files']['large']['lines'])} lines; {total} DynamoDB calls "
             f"({by_op}).")
    L.append("")
    L.append("## Repeating it")
    L.append("")
    L.append("```sh")
    L.append("scripts/bench            # builds, installs the competitors, measures, rewrites this "
             "file")
    L.append("```")
    L.append("")
    Path(out_md).write_text("\n".join(L))
    return goals


def chart(r, path):
    """One panel per measurement, each goal drawn as a dashed line on the panel it judges, and
    the bar the goal is about outlined: a missed goal is a bar that crosses its line, and the
    panel's title says met or missed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(23, 5.2))
    colours = {"provrum": "#2a7f62", "calamine (Rust)": "#8064a2", "openpyxl": "#c0504d",
               "python-calamine": "#4f81bd", "sheetjs": "#e3a21a", "hello-axum": "#7f7f7f",
               "dynamodb-floor": "#a5a5a5"}
    goal_colour = "#b00020"

    def judged(ax, bar, ok, title, says=None):
        """Outlines the bar a goal is about, and says in the title whether the goal was met (or
        what `says`, for a panel with more than one goal)."""
        bar.set_edgecolor("black" if ok else goal_colour)
        bar.set_linewidth(1.2 if ok else 2.5)
        if not ok:
            bar.set_hatch("//")
        ax.set_title(f"{title}\n{says or ('goal met' if ok else 'goal MISSED')}",
                     color="black" if ok else goal_colour)

    def goal_line(ax, y, label, style="--"):
        ax.axhline(y, color=goal_colour, linestyle=style, linewidth=1.5, label=label)
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)

    check = r["check"]
    for ax, workload in zip(axes[:2], ("realistic", "stress")):
        runs = check[workload]
        tools = list(runs)
        med = [runs[t]["median"] for t in tools]
        lo = [m - runs[t]["p10"] for t, m in zip(tools, med)]
        hi = [runs[t]["p90"] - m for t, m in zip(tools, med)]
        bars = ax.bar(tools, med, yerr=[lo, hi], color=[colours[t] for t in tools], capsize=3)
        ax.set_yscale("log")
        ax.set_ylabel("ms per check (log)")
        ax.tick_params(axis="x", rotation=30)
        for i, m in enumerate(med):
            ax.annotate(fmt_ms(m), (i, m), ha="center", va="bottom", fontsize=8)
        lines = fmt_int(r["files"][workload]["lines"])
        provrum = runs["provrum"]["median"]
        if workload == "realistic":
            goal = runs["openpyxl"]["median"] / GOAL_REALISTIC_VS_OPENPYXL
            label = f"goal: openpyxl ÷ {GOAL_REALISTIC_VS_OPENPYXL:g} = {fmt_ms(goal)}"
        else:
            goal = runs["python-calamine"]["median"] * GOAL_STRESS_VS_CALAMINE
            label = f"goal: python-calamine × {GOAL_STRESS_VS_CALAMINE:g} = {fmt_ms(goal)}"
        goal_line(ax, goal, label)
        # Room below the goal line and the shortest bar, and above the tallest whisker.
        ax.set_ylim(min([goal] + [runs[t]["p10"] for t in tools]) / 2,
                    max([goal] + [runs[t]["p90"] for t in tools]) * 3)
        judged(ax, bars[tools.index("provrum")], provrum <= goal,
               f"{workload.capitalize()} workbook, {lines} lines (median, p10–p90)")

    cold = r["coldstart"]
    names = list(cold)
    ax = axes[2]
    med = [cold[n]["median"] for n in names]
    lo = [m - cold[n]["p10"] for n, m in zip(names, med)]
    hi = [cold[n]["p90"] - m for n, m in zip(names, med)]
    bars = ax.bar(names, med, yerr=[lo, hi], capsize=3,
                  color=[colours.get(n, "#2a7f62") for n in names])
    floor_goal = GOAL_COLDSTART_VS_FLOOR * cold["dynamodb-floor"]["median"]
    hello_goal = GOAL_COLDSTART_VS_HELLO * cold["hello-axum"]["median"]
    goal_line(ax, floor_goal,
              f"goal: {GOAL_COLDSTART_VS_FLOOR:g}× dynamodb-floor = {fmt_ms(floor_goal)}")
    goal_line(ax, hello_goal,
              f"goal: {GOAL_COLDSTART_VS_HELLO:g}× hello-axum = {fmt_ms(hello_goal)}", ":")
    worst = max(FUNCTIONS, key=lambda n: cold[n]["median"])
    ax.set_ylim(0, max([floor_goal, hello_goal] + [cold[n]["p90"] for n in names]) * 1.4)
    ax.set_ylabel("ms from exec to first answer")
    ax.tick_params(axis="x", rotation=30)
    floor_ok, hello_ok = cold[worst]["median"] <= floor_goal, cold[worst]["median"] <= hello_goal
    judged(ax, bars[names.index(worst)], floor_ok and hello_ok,
           "Cold start as Lambda starts (median, p10–p90)",
           f"{GOAL_COLDSTART_VS_FLOOR:g}× floor: {'met' if floor_ok else 'MISSED'}; "
           f"{GOAL_COLDSTART_VS_HELLO:g}× hello-axum: {'met' if hello_ok else 'MISSED'}")

    ax = axes[3]
    rss = r["rss"]
    labels = ["idle after start", "checking the file"]
    values = [rss["idle_peak_bytes"] / MB, rss["median_peak_bytes"] / MB]
    errors = [[0, (rss["median_peak_bytes"] - rss["p10_peak_bytes"]) / MB],
              [0, (rss["p90_peak_bytes"] - rss["median_peak_bytes"]) / MB]]
    bars = ax.bar(labels, values, yerr=errors, capsize=3, color=["#7f7f7f", "#2a7f62"])
    ax.plot([1], [rss["peak_bytes"] / MB], marker="v", color="black", linestyle="none",
            label=f"worst of {rss['runs']}: {rss['peak_bytes'] / MB:.1f} MiB")
    for i, v in enumerate(values):
        ax.annotate(f"{v:.1f} MiB", (i, v), ha="center", va="bottom", fontsize=8)
    goal_line(ax, GOAL_PEAK_RSS / MB, f"goal: {GOAL_PEAK_RSS / MB:g} MiB")
    ax.set_ylim(0, max(values + [GOAL_PEAK_RSS / MB]) * 1.3)
    ax.set_ylabel("peak resident set, MiB (median, p10–p90)")
    judged(ax, bars[1], rss["peak_bytes"] <= GOAL_PEAK_RSS,
           f"budget-import, {fmt_bytes(rss['file_bytes'])} workbook")

    ax = axes[4]
    st = r["status"]
    qs = ["p50", "p90", "p99", "max"]
    bars = ax.bar(qs, [st[q] for q in qs], color="#2a7f62")
    goal_line(ax, GOAL_STATUS_P99_MS, f"goal: p99 ≤ {GOAL_STATUS_P99_MS:g} ms")
    ax.set_ylim(0, max([st[q] for q in qs] + [GOAL_STATUS_P99_MS]) * 1.3)
    ax.set_ylabel("ms")
    judged(ax, bars[qs.index("p99")], st["p99"] <= GOAL_STATUS_P99_MS,
           f"GET /status, {st['provrum']} provrum, {st['rate']}/s")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True)
    p.add_argument("--release", required=True)
    p.add_argument("--lean", required=True,
                   help="the four function binaries built alone, as cargo lambda builds them")
    p.add_argument("--lambda-dir", required=True)
    p.add_argument("--python", required=True)
    p.add_argument("--node", default="node")
    p.add_argument("--moto", required=True)
    p.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    p.add_argument("--chart", default=str(ROOT / "docs" / "benchmarks.png"))
    p.add_argument("--coldstart-runs", type=int, default=40)
    p.add_argument("--status-provrum", type=int, default=500)
    p.add_argument("--status-rate", type=int, default=100)
    p.add_argument("--status-requests", type=int, default=3000)
    p.add_argument("--status-connections", type=int, default=8)
    p.add_argument("--json", default=str(ROOT / "target" / "bench" / "results.json"))
    p.add_argument("--report-only", action="store_true",
                   help="rewrite the report and chart from --json without measuring")
    a = p.parse_args()
    if a.report_only:
        write(json.loads(Path(a.json).read_text()), a)
        return

    r = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="provrum-bench-") as tmp:
        log("generating the workbooks")
        r["files"] = run_json([a.bench, "generate", tmp])
        r["check"] = check_workloads(a, r["files"])
        db = str(Path(tmp) / "small.db")
        token = run_json([a.bench, "seed", db, "--provrum", "3"])["token"]
        r["coldstart"] = coldstart(a)
        r["rss"] = peak_rss(a, db, token, r["files"]["large"])
        r["status"] = status_load(a, tmp)
    r["artifacts"] = artifacts(a)
    r["dynamo"] = dynamo_calls(a)

    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(r, indent=2, default=str))
    write(r, a)


def write(r, a):
    Path(a.chart).parent.mkdir(parents=True, exist_ok=True)
    chart(r, a.chart)
    goals = report(r, a.out, os.path.relpath(a.chart, Path(a.out).parent))
    log(f"wrote {a.out} and {a.chart} (raw numbers: {a.json})")
    for goal, measured, ok in goals:
        print(f"   {'met   ' if ok else 'MISSED'}  {goal}: {measured}")


if __name__ == "__main__":
    main()
