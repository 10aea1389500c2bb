#!/usr/bin/env python3
"""Session benchmark driver: generates communities of N members and runs each as a whole
session on a fresh dev chain (`cer-run run … --json [--stats FILE]`), then prints and stores
per-phase figures.

    bench/run.py [--members 10,100,1000] [--direct-members 10,100] [--seed 1] [--keep]

For every N of --members the relayed path (manifest `batching: {submission: relayed}`) runs,
for every N of --direct-members the direct path (`submission: direct`, one transaction per
member). A runner that rejects the `batching:` section gets a manifest without it and the run
is labelled `default`. Results go to bench/results/<UTC time>.{json,md} (see bench/README.md).

Figures per phase: wall time (from the timestamps of the runner's `--json` phase events, or
its --stats file), transactions and gas (the run's journal: `tx.mined` records by step), the
runner's CPU time and the time it spent waiting for the node (--stats `rpcSeconds`; without
--stats, wall − runner CPU, marked ≈), and the dev chain's CPU time (/proc samples of the
runner's child processes). Python 3 standard library only; Linux (/proc, os.wait4).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_BINARY = REPO / ".build" / "debug" / "cer-run"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# Phases in run order; `fund` and `withdraw` have no phase event of their own and are split off
# `members` and `settle` at their last progress event.
PHASES = ["startup", "connect", "deploy", "members", "fund", "open", "commit", "reveal", "clear", "validate",
          "settle", "withdraw", "report"]
SETUP = ["deploy", "members", "fund"]  # + connect/startup, shown apart
SESSION = ["open", "commit", "reveal", "clear", "validate", "settle", "withdraw"]


def step_phase(step: str) -> str:
    """The phase a journal step belongs to (docs/journal.md, step names)."""
    head = step.split("/", 1)[0]
    if head == "deploy":
        return "deploy"
    if head in ("register", "approve", "member", "members"):
        return "members"
    if head == "fund":
        return "fund"
    if step.startswith("session/open") or head == "open":
        return "open"
    if head in ("commit", "commits"):
        return "commit"
    if head in ("reveal", "reveals", "forfeit"):
        return "reveal" if head != "forfeit" else "clear"
    if step.startswith("publish/validation"):
        return "validate"
    if head in ("publish", "clear"):
        return "clear"
    if head in ("settle", "release"):
        return "settle"
    if head == "withdraw":
        return "withdraw"
    return "other"


# ---------------------------------------------------------------- /proc sampling

def proc_times(pid: int) -> tuple[float, int] | None:
    """(utime+stime seconds of the process itself, all threads; resident bytes now)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK, int(fields[21]) * PAGE
    except (OSError, IndexError, ValueError):
        return None


def proc_hwm(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


class Sampler:
    """Keeps the latest CPU time and memory high-water mark of the runner and of its children
    (the dev chain), sampled every `interval` seconds and on demand."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.lock = threading.Lock()
        self.runner_cpu = 0.0
        self.runner_hwm = 0
        self.node_cpu: dict[int, float] = {}  # per child pid: last CPU seen (kept after exit)
        self.node_hwm = 0
        self.kids: list[int] = []
        self.kids_checked = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.wait(0.25):
            self.sample()

    def sample(self) -> tuple[float, float]:
        with self.lock:
            now = time.monotonic()
            if now - self.kids_checked > 2.0 or not self.kids:
                self.kids = descendants(self.pid)
                self.kids_checked = now
            t = proc_times(self.pid)
            if t:
                self.runner_cpu = t[0]
                self.runner_hwm = max(self.runner_hwm, proc_hwm(self.pid) or 0)
            for kid in self.kids:
                k = proc_times(kid)
                if k:
                    self.node_cpu[kid] = k[0]
                    self.node_hwm = max(self.node_hwm, proc_hwm(kid) or 0)
            return self.runner_cpu, sum(self.node_cpu.values())

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


# ---------------------------------------------------------------- one run

def supports(binary: Path, option: str) -> bool:
    out = subprocess.run([str(binary), "run", "--help"], capture_output=True, text=True)
    return option in out.stdout


def generate(n: int, seed: int, date: str, out: Path, submission: str | None, max_gas: int) -> float:
    cmd = [sys.executable, str(BENCH / "generate.py"), "--members", str(n), "--seed", str(seed),
           "--date", date, "--out", str(out), "--max-gas", str(max_gas)]
    cmd += ["--submission", submission] if submission else ["--no-batching-section"]
    t = time.monotonic()
    subprocess.run(cmd, check=True)
    return time.monotonic() - t


def batching_accepted(binary: Path, seed: int, date: str) -> bool:
    """Does `cer-run validate` take the manifest's `batching:` section?"""
    with tempfile.TemporaryDirectory(prefix="cer-bench-probe-") as d:
        generate(2, seed, date, Path(d), "relayed", 15_000_000)
        r = subprocess.run([str(binary), "validate", str(Path(d) / "manifest.yaml"), "--date", date],
                           capture_output=True, text=True)
        return r.returncode == 0


def read_journal(path: Path) -> list[dict]:
    records = []
    if not path.exists():
        return records
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return records


def journal_figures(records: list[dict]) -> dict[str, dict]:
    """Per phase: mined transactions, gas used, reverted transactions, distinct blocks."""
    out: dict[str, dict] = {}
    blocks: dict[str, set] = {}
    for r in records:
        if r.get("type") != "tx.mined":
            continue
        d = r.get("data", {})
        phase = step_phase(str(d.get("step", "")))
        f = out.setdefault(phase, {"transactions": 0, "gasUsed": 0, "reverted": 0})
        f["transactions"] += 1
        f["gasUsed"] += int(d.get("gasUsed", 0) or 0)
        if d.get("status") == 0:
            f["reverted"] += 1
        blocks.setdefault(phase, set()).add(d.get("block"))
    for phase, f in out.items():
        f["blocks"] = len(blocks[phase])
    return out


def run_session(binary: Path, manifest: Path, date: str, runs: Path, use_stats: bool,
                timeout: float) -> dict:
    runs.mkdir(parents=True, exist_ok=True)
    stats_file = runs / "stats.json"
    cmd = [str(binary), "run", str(manifest), "--date", date, "--runs", str(runs), "--json"]
    if use_stats:
        cmd += ["--stats", str(stats_file)]
    stderr_path = runs / "stderr.txt"
    events_path = runs / "events.jsonl"
    t0 = time.monotonic()
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1, cwd=REPO)
    sampler = Sampler(proc.pid)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    marks: list[tuple[str, float, float, float]] = []  # (phase, t, runner cpu, node cpu)
    last_progress: dict[str, tuple[float, float, float]] = {}
    final: dict = {}
    journal_path = None
    with open(events_path, "w") as log:
        for line in proc.stdout:
            now = time.monotonic() - t0
            log.write(f"{now:.3f} {line}")
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = ev.get("event")
            if kind == "phase":
                rc, nc = sampler.sample()
                marks.append((ev.get("phase", "?"), now, rc, nc))
            elif kind == "progress":
                rc, nc = sampler.sample()
                last_progress[ev.get("phase", "?")] = (now, rc, nc)
            elif kind in ("done", "waiting", "error"):
                final = ev
            elif kind == "info" and "journal " in ev.get("message", "") and journal_path is None:
                msg = ev["message"]
                journal_path = msg.split("journal ", 1)[1].split(" ", 1)[0]
    end_rc, end_nc = sampler.sample()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    timer.cancel()
    sampler.close()

    # Phase boundaries: startup until the first phase event; fund from members' last progress
    # event to `open`; withdraw from settle's last progress event to `report`.
    bounds: list[tuple[str, float, float, float]] = [("startup", 0.0, 0.0, 0.0)] + marks
    for split, parent in (("fund", "members"), ("withdraw", "settle")):
        names = [b[0] for b in bounds]
        if parent in names and parent in last_progress and split not in names:
            i = names.index(parent)
            t, rc, nc = last_progress[parent]
            bounds.insert(i + 1, (split, t, rc, nc))
    phases: dict[str, dict] = {}
    for i, (name, t, rc, nc) in enumerate(bounds):
        t2, rc2, nc2 = (bounds[i + 1][1:] if i + 1 < len(bounds) else (wall, end_rc, end_nc))
        phases[name] = {"wallSeconds": t2 - t, "cpuSeconds": rc2 - rc, "nodeCpuSeconds": nc2 - nc}

    if journal_path is None:
        found = sorted(runs.glob("*/journal.jsonl"))
        journal_path = str(found[0]) if found else None
    chain = journal_figures(read_journal(Path(journal_path))) if journal_path else {}
    for name, f in chain.items():
        phases.setdefault(name, {"wallSeconds": 0.0, "cpuSeconds": 0.0, "nodeCpuSeconds": 0.0}).update(f)

    stats = None
    if stats_file.exists():
        try:
            stats = json.loads(stats_file.read_text())
        except json.JSONDecodeError:
            stats = None
    if not isinstance(stats, dict):
        stats = None
    rpc_measured = False
    if stats:
        # The runner's own figures win. Its phases: connect (dev chain start, header), deploy,
        # members (registration and funding), open, commit, reveal, clear, validate, settle
        # (with withdrawals), report. Our event-derived split of fund/withdraw is kept as a
        # note (journal figures), folded back into members/settle.
        ours = phases
        phases = {}
        fold = {"startup": "connect", "fund": "members", "withdraw": "settle"}
        for p in stats.get("phases", []) or []:
            name = p.get("phase")
            if not name:
                continue
            entry = {k: num(v) for k, v in p.items() if k != "phase"}
            if "rpcSeconds" in entry:
                rpc_measured = True
            node = sum((ours.get(k) or {}).get("nodeCpuSeconds", 0.0)
                       for k in [name] + [a for a, b in fold.items() if b == name])
            entry["nodeCpuSeconds"] = node
            phases[name] = entry
        for split, parent in (("fund", "members"), ("withdraw", "settle")):
            if split in chain and parent in phases and split not in phases:
                phases[parent]["includes"] = {split: chain[split]}
    num_stats = {k: num(v) for k, v in (stats or {}).items() if k not in ("phases", "node")}
    runner_cpu_total = num_stats.get("cpuSeconds")
    total_cpu = usage.ru_utime + usage.ru_stime  # runner + reaped children (the dev chain)
    node_cpu = end_nc

    result = {
        "exitCode": proc.returncode,
        "final": final,
        "wallSeconds": num_stats.get("wallSeconds", wall),
        "measuredWallSeconds": wall,
        "runnerCpuSeconds": runner_cpu_total if runner_cpu_total is not None else max(end_rc, total_cpu - node_cpu),
        "nodeCpuSeconds": node_cpu,
        "treeCpuSeconds": total_cpu,
        "runnerPeakRSSBytes": num_stats.get("peakRSSBytes") or sampler.runner_hwm,
        "nodePeakRSSBytes": sampler.node_hwm,
        "treeMaxRSSBytes": usage.ru_maxrss * 1024,
        "rpcMeasured": rpc_measured,
        "statsFile": stats is not None,
        "node": (stats or {}).get("node"),
        "stats": num_stats or None,
        "phases": phases,
        "journal": journal_path,
        "stderrTail": stderr_path.read_text()[-2000:] if proc.returncode else "",
    }
    return result


# ---------------------------------------------------------------- report

def num(x):
    """The runner writes decimals as strings ("2.520", "11016881"): back to numbers."""
    if isinstance(x, str):
        try:
            return int(x)
        except ValueError:
            try:
                return float(x)
            except ValueError:
                return x
    return x


def fmt(x, digits=1):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}"


def table(entry: dict) -> list[str]:
    """Markdown table lines for one (N, path) run."""
    n = entry["members"]
    r = entry["result"]
    ph = r["phases"]
    # rpcSeconds sums the calls' durations: with concurrent calls it can exceed the wall time.
    wait_label = "RPC wait s (Σ calls)" if r["rpcMeasured"] else "wait≈ s (wall−CPU)"
    rows = [f"| phase | wall s | tx | gas | gas/member | runner CPU s | {wait_label} | RPC calls | node busy s | node CPU s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = PHASES + sorted(k for k in ph if k not in PHASES)
    tot = {"wall": 0.0, "tx": 0, "gas": 0, "cpu": 0.0, "wait": 0.0, "node": 0.0, "calls": 0, "busy": 0.0}
    for name in order:
        p = ph.get(name)
        if not p:
            continue
        wall = p.get("wallSeconds", 0.0) or 0.0
        cpu = p.get("cpuSeconds", 0.0) or 0.0
        wait = p.get("rpcSeconds") if r["rpcMeasured"] else max(0.0, wall - cpu)
        tx = p.get("transactions", 0) or 0
        gas = p.get("gasUsed", 0) or 0
        node = p.get("nodeCpuSeconds", 0.0) or 0.0
        rows.append(f"| {name} | {fmt(wall)} | {fmt(tx)} | {fmt(gas)} | {fmt(gas // n if n else 0)} | "
                    f"{fmt(cpu)} | {fmt(wait)} | {fmt(p.get('rpcCalls'))} | {fmt(p.get('nodeSeconds'))} | {fmt(node)} |")
        tot["wall"] += wall
        tot["tx"] += tx
        tot["gas"] += gas
        tot["cpu"] += cpu
        tot["wait"] += wait or 0.0
        tot["node"] += node
        tot["calls"] += p.get("rpcCalls", 0) or 0
        tot["busy"] += p.get("nodeSeconds", 0.0) or 0.0
    rows.append(f"| **total** | {fmt(r['wallSeconds'])} | {fmt(tot['tx'])} | {fmt(tot['gas'])} | "
                f"{fmt(tot['gas'] // n if n else 0)} | {fmt(r['runnerCpuSeconds'])} | {fmt(tot['wait'])} | "
                f"{fmt(tot['calls'])} | {fmt(tot['busy'])} | {fmt(r['nodeCpuSeconds'])} |")
    setup = sum((ph.get(k) or {}).get("wallSeconds", 0.0) or 0.0 for k in SETUP)
    session = sum((ph.get(k) or {}).get("wallSeconds", 0.0) or 0.0 for k in SESSION)
    sess_tx = sum((ph.get(k) or {}).get("transactions", 0) or 0 for k in SESSION)
    sess_gas = sum((ph.get(k) or {}).get("gasUsed", 0) or 0 for k in SESSION)
    lines = [f"### N = {n}, {entry['path']}", "",
             f"exit {r['exitCode']} ({r['final'].get('event', '?')} {r['final'].get('phase', '')}); "
             f"generate {entry['generateSeconds']:.2f} s; manifest {entry['manifestBytes'] / 1e6:.2f} MB, "
             f"{entry['orders']} orders", ""]
    lines += rows
    lines += ["",
              f"- setup (deploy + members + fund): **{setup:.1f} s**; "
              f"session (open → settle): **{session:.1f} s**, {sess_tx} tx, {sess_gas:,} gas "
              f"({sess_gas // n if n else 0:,} gas/member); startup (dev chain, header) "
              f"{fmt((ph.get('connect') or ph.get('startup') or {}).get('wallSeconds'))} s, "
              f"report {fmt((ph.get('report') or {}).get('wallSeconds'))} s",
              *[f"- {name} includes {part}: {f['transactions']} tx, {f['gasUsed']:,} gas"
                for name, p in ph.items() for part, f in (p.get("includes") or {}).items() if part not in ph],
              f"- peak memory: runner {r['runnerPeakRSSBytes'] / 2**20:.0f} MiB, dev chain "
              f"{r['nodePeakRSSBytes'] / 2**20:.0f} MiB; CPU: runner {r['runnerCpuSeconds']:.1f} s, "
              f"dev chain {r['nodeCpuSeconds']:.1f} s of {r['wallSeconds']:.1f} s wall",
              ""]
    lines += node_methods(ph)
    if r["exitCode"]:
        lines += ["```", r["stderrTail"].strip()[-1500:], "```", ""]
    return lines


def node_methods(ph: dict) -> list[str]:
    """Where the dev chain's time went in the session's phases and the report, by JSON-RPC
    method (the runner's --stats `nodeMethods`; a transaction's mining is inside its
    eth_sendRawTransaction)."""
    lines = []
    for name in SESSION + ["report"]:
        methods = (ph.get(name) or {}).get("nodeMethods") or {}
        parts = sorted(((num(m.get("seconds")) or 0.0, int(m.get("calls") or 0), method)
                        for method, m in methods.items()), reverse=True)
        shown = [f"{method} {calls:,}× {seconds:.2f} s" for seconds, calls, method in parts if seconds >= 0.005]
        if shown:
            mining = (ph.get(name) or {}).get("nodeMiningSeconds")
            tail = f" (mining {mining:.2f} s)" if isinstance(mining, float) else ""
            lines.append(f"- node time in {name}: " + ", ".join(shown) + tail)
    return lines + ([""] if lines else [])


def cpu_model() -> str | None:
    """The CPU's model name from /proc/cpuinfo (figures of different machines differ: the dev
    chain's speed is the CPU's)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def markdown(meta: dict) -> str:
    runs = meta["runs"]
    md = [f"# Session benchmark {meta['time']}", "",
          f"cer-run at {meta['commit']}{' (Sources modified)' if meta.get('sourcesModified') else ''}, "
          f"{meta.get('cpus')} CPUs{' (' + meta['cpuModel'] + ')' if meta.get('cpuModel') else ''}; --stats {'yes' if meta.get('statsOption') else 'no'}, batching section "
          f"{'yes' if meta.get('batchingSection') else 'no'}"
          + (f"; seed {runs[0]['seed']}, delivery day {runs[0]['date']}." if runs else "."), ""]
    for e in runs:
        md += table(e)
    return "\n".join(md)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", default="10,100,1000", help="sizes for the relayed path")
    p.add_argument("--direct-members", default="10,100", help="sizes for the direct path ('' for none)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--date", default=None, help="delivery day (default: today + 2 days, UTC)")
    p.add_argument("--max-gas", type=int, default=15_000_000)
    p.add_argument("--binary", default=os.environ.get("CER_RUN", str(DEFAULT_BINARY)))
    p.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per run before it is killed")
    p.add_argument("--keep", action="store_true", help="keep the generated folders and run folders")
    p.add_argument("--results", default=str(BENCH / "results"), help="folder for the JSON and Markdown results")
    p.add_argument("--no-save", action="store_true", help="print only, write nothing to --results")
    p.add_argument("--no-stats", action="store_true",
                   help="do not pass --stats (measure from events, journal and /proc only)")
    p.add_argument("--render", metavar="JSON", help="only rewrite the Markdown of a saved result")
    a = p.parse_args()
    if a.render:
        path = Path(a.render)
        path.with_suffix(".md").write_text(markdown(json.loads(path.read_text())))
        return 0
    binary = Path(a.binary)
    if not binary.exists():
        sys.exit(f"error: {binary} does not exist (make build, or --binary / $CER_RUN)")
    date = a.date or (dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=2)).isoformat()
    sizes = [int(x) for x in a.members.split(",") if x.strip()]
    direct = [int(x) for x in a.direct_members.split(",") if x.strip()]

    # A private copy: a rebuild of .build/debug/cer-run during the benchmark must not change or
    # break the runs (the copy finds devchain/ and contracts/artifacts from its working directory,
    # the repository).
    snapshot_dir = Path(tempfile.mkdtemp(prefix="cer-bench-bin-"))
    snapshot = snapshot_dir / "cer-run"
    for attempt in range(30):
        try:
            shutil.copy2(binary, snapshot)
            subprocess.run([str(snapshot), "--version"], check=True, capture_output=True)
            break
        except (OSError, subprocess.CalledProcessError):
            time.sleep(10)  # being relinked: wait and retry
    else:
        sys.exit(f"error: could not copy a working {binary}")
    binary = snapshot

    use_stats = supports(binary, "--stats") and not a.no_stats
    with_batching = batching_accepted(binary, a.seed, date)
    plan: list[tuple[int, str | None]] = []
    if with_batching:
        plan = [(n, "relayed") for n in sizes] + [(n, "direct") for n in direct]
    else:
        print("note: the runner rejects the manifest's `batching:` section; running every size once "
              "without it (path `default`)", file=sys.stderr)
        plan = [(n, None) for n in sorted(set(sizes) | set(direct))]
    if not use_stats:
        print("note: without --stats: phases from --json event times, tx and gas from the "
              "journal, CPU from /proc", file=sys.stderr)

    entries = []
    for n, path in plan:
        label = path or "default"
        work = Path(tempfile.mkdtemp(prefix=f"cer-bench-n{n}-{label}-"))
        gen_s = generate(n, a.seed, date, work, path, a.max_gas)
        manifest = work / "manifest.yaml"
        orders = manifest.read_text().count("{slot: ")
        print(f"== N={n} {label}: {work} (generated in {gen_s:.2f} s); running …", file=sys.stderr, flush=True)
        result = run_session(binary, manifest, date, work / "runs", use_stats, a.timeout)
        entry = {"members": n, "path": label, "seed": a.seed, "date": date, "generateSeconds": gen_s,
                 "manifestBytes": manifest.stat().st_size, "orders": orders, "result": result,
                 "folder": str(work) if a.keep else None}
        entries.append(entry)
        print("\n".join(table(entry)), flush=True)
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)

    if not a.no_save:
        out = Path(a.results)
        out.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "Sources"],
                                    capture_output=True, text=True).stdout.strip())
        meta = {"time": stamp, "commit": commit, "sourcesModified": dirty, "binary": a.binary,
                "statsOption": use_stats, "batchingSection": with_batching, "cpus": os.cpu_count(),
                "cpuModel": cpu_model(),
                "runs": entries}
        (out / f"session-{stamp}.json").write_text(json.dumps(meta, indent=2) + "\n")
        (out / f"session-{stamp}.md").write_text(markdown(meta))
        print(f"results: {out / f'session-{stamp}.json'} and .md", file=sys.stderr)
    shutil.rmtree(snapshot_dir, ignore_errors=True)
    return 0 if all(e["result"]["exitCode"] == 0 for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
