#!/usr/bin/env python3
"""Generates a synthetic renewable energy community for the session benchmark.

    bench/generate.py --members N --seed S --date YYYY-MM-DD --out DIR
                      [--submission relayed|direct] [--max-gas G] [--no-batching-section]

Writes DIR/manifest.yaml (a `cer-run run` session manifest on the dev chain), DIR/adhesion.txt
(the adhesion document every member notarises) and DIR/meters/{date}.csv (hourly meter data, Wh,
the default CSV format of docs/validation.md). Everything follows from the arguments: the same
arguments give the same bytes. Python 3 standard library only; the dev accounts' addresses come
from bench/.cache/dev-addresses.txt, which is computed once by bench/devaccounts.py under the
dev chain's venv (devchain/.venv/bin/python) when it is missing or too short.

The community (bench/README.md has the details): ~67 % residential consumers and ~5 % small
businesses (buy every slot), ~25 % prosumers with rooftop PV (one order per slot, side by the
net of load and PV: buy at night and in the evening, sell around midday), ~3 % (at least one)
larger producers with a flat-ish output (small hydro, biogas) that sell every slot. Orders are
the day-ahead forecast; the meter data is what really happened: ±10 % per member and hour, a
few sellers under-deliver by 30–50 % for a few hours, a few buyers under-consume by 30–50 %.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CACHE = BENCH / ".cache" / "dev-addresses.txt"
VENV_PYTHON = REPO / "devchain" / ".venv" / "bin" / "python"

TIMEZONE = "Europe/Rome"
LATITUDE, LONGITUDE = 45.48, 9.19  # Milan

OPERATOR_ACCOUNT = 1
FIRST_MEMBER_ACCOUNT = 2
DEV_ACCOUNT_LIMIT = 99_999  # Sources/Manifest/ManifestSections.swift: dev_account 0...99_999

# Shares of the community (of N); producers at least one, the rest consumers.
PROSUMER_SHARE = 0.25
PRODUCER_SHARE = 0.03
BUSINESS_SHARE = 0.05
PRODUCER_COVERAGE = 0.30  # producers' output / the other members' consumption

# Residential load: relative mean power per local hour (weekday), morning and evening peaks.
RESIDENTIAL = [0.30, 0.25, 0.22, 0.21, 0.21, 0.24, 0.38, 0.60, 0.62, 0.48, 0.42, 0.42,
               0.50, 0.50, 0.42, 0.38, 0.40, 0.52, 0.75, 0.95, 1.00, 0.90, 0.70, 0.48]
# Small business (shop, office, workshop): open 8–19.
BUSINESS = [0.15, 0.15, 0.15, 0.15, 0.15, 0.15, 0.20, 0.45, 0.90, 1.00, 1.00, 1.00,
            0.85, 0.85, 1.00, 1.00, 1.00, 1.00, 0.90, 0.50, 0.25, 0.18, 0.15, 0.15]


# ---------------------------------------------------------------- dev accounts

def dev_addresses(count: int) -> list[str]:
    """EIP-55 addresses of dev accounts 0..count-1 (cached in bench/.cache)."""
    cached = CACHE.read_text().split() if CACHE.exists() else []
    if len(cached) >= count:
        return cached[:count]
    if not VENV_PYTHON.exists():
        sys.exit(f"error: {VENV_PYTHON} is missing (make devchain-venv) and {CACHE} holds "
                 f"{len(cached)} of the {count} dev addresses needed")
    want = max(count, 2 * len(cached), 64)
    print(f"computing {want} dev account addresses into {CACHE} (once)", file=sys.stderr)
    out = subprocess.run([str(VENV_PYTHON), str(BENCH / "devaccounts.py"), str(want)],
                         check=True, capture_output=True, text=True).stdout.split()
    if len(out) != want or (cached and out[:len(cached)] != cached):
        sys.exit("error: bench/devaccounts.py gave unexpected addresses")
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = CACHE.with_suffix(".tmp")
    tmp.write_text("\n".join(out) + "\n")
    os.replace(tmp, CACHE)
    return out[:count]


# ---------------------------------------------------------------- the day

def day_slots(date: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """(UTC start, local start) of every hourly slot of the local day (23/24/25 on DST days)."""
    zone = ZoneInfo(TIMEZONE)
    start = dt.datetime(date.year, date.month, date.day, tzinfo=zone).astimezone(dt.timezone.utc)
    nxt = date + dt.timedelta(days=1)
    end = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).astimezone(dt.timezone.utc)
    hours = int((end - start).total_seconds()) // 3600
    return [(u, u.astimezone(zone)) for u in (start + dt.timedelta(hours=k) for k in range(hours))]


def sun_elevation_sin(utc: dt.datetime) -> float:
    """sin(solar elevation) at Milan for a UTC instant (declination and equation of time)."""
    doy = utc.timetuple().tm_yday
    gamma = 2 * math.pi / 365 * (doy - 1 + (utc.hour + utc.minute / 60 - 12) / 24)
    decl = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
            - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma)
            - 0.002697 * math.cos(3 * gamma) + 0.00148 * math.sin(3 * gamma))
    eqtime = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma)
                       - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    solar_minutes = utc.hour * 60 + utc.minute + eqtime + 4 * LONGITUDE
    hour_angle = math.radians(solar_minutes / 4 - 180)
    lat = math.radians(LATITUDE)
    return math.sin(lat) * math.sin(decl) + math.cos(lat) * math.cos(decl) * math.cos(hour_angle)


def clear_sky_yield(utc_start: dt.datetime) -> float:
    """kWh per kWp in the hour from utc_start on a clear day: Haurwitz clear-sky irradiance,
    a tilt gain, performance ratio 0.8; averaged over four points of the hour."""
    total = 0.0
    for quarter in range(4):
        s = sun_elevation_sin(utc_start + dt.timedelta(minutes=7.5 + 15 * quarter))
        if s <= 0.02:
            continue
        ghi = 1098 * s * math.exp(-0.057 / s)  # W/m²
        tilt_gain = 1.0 + 0.5 * (1 - s)         # south-facing panels gain most when the sun is low
        total += ghi * tilt_gain * 0.8 / 1000 / 4
    return total


def shifted(profile: list[float], hour: float) -> float:
    """The circular hourly profile at a fractional hour (linear interpolation)."""
    h = hour % 24
    i = int(h)
    f = h - i
    return profile[i] * (1 - f) + profile[(i + 1) % 24] * f


def clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


# ---------------------------------------------------------------- members

class Member:
    def __init__(self, index: int, role: str, kind: str) -> None:
        self.index = index
        self.role = role  # consumer | prosumer | producer (the manifest's)
        self.kind = kind  # residential | business | pv-home | hydro | biogas
        self.id = f"m{index + 1:05d}"
        self.pod = f"IT001E{40000000 + index + 1:08d}"
        self.account = FIRST_MEMBER_ACCOUNT + index
        self.size_kw = 0.0  # producers: mean output before per-member scaling
        self.load = []    # forecast Wh per slot
        self.pv = []      # forecast Wh per slot
        self.orders = []  # (slot, side, wh, price in thousandths)
        self.withdrawal = []  # metered Wh
        self.injection = []


def community_roles(n: int, rng: random.Random) -> list[tuple[str, str]]:
    producers = max(1, round(n * PRODUCER_SHARE))
    prosumers = round(n * PROSUMER_SHARE) if n >= 3 else (1 if n >= 2 else 0)
    prosumers = min(prosumers, n - producers)
    businesses = min(round(n * BUSINESS_SHARE), n - producers - prosumers)
    consumers = n - producers - prosumers - businesses
    roles = ([("producer", rng.choice(["hydro", "biogas"])) for _ in range(producers)]
             + [("prosumer", "pv-home")] * prosumers
             + [("consumer", "business")] * businesses
             + [("consumer", "residential")] * consumers)
    rng.shuffle(roles)
    return roles


def forecast(m: Member, slots, rng: random.Random, day_clearness: float, hour_cloud: list[float],
             weekend: bool, month: int) -> None:
    season = 1.15 if month in (11, 12, 1, 2) else 1.10 if month in (6, 7, 8) else 1.0
    if m.kind in ("residential", "pv-home"):
        daily = clip(rng.lognormvariate(math.log(7.5), 0.35), 3.0, 25.0) * season  # kWh/day
        shape = list(RESIDENTIAL)
        if weekend:
            shape = [w * (0.8 if 6 <= h <= 8 else 1.2 if 9 <= h <= 14 else 1.0) for h, w in enumerate(shape)]
    elif m.kind == "business":
        daily = clip(rng.lognormvariate(math.log(30), 0.4), 10.0, 120.0)
        shape = [w if not weekend else 0.15 + 0.3 * (w - 0.15) for w in BUSINESS]
    else:
        daily = 0.0
        shape = RESIDENTIAL
    shift = rng.uniform(-1.0, 1.0)  # habits: earlier or later than the average household
    weights = [shifted(shape, local.hour + shift) for _, local in slots]
    norm = sum(shifted(shape, h + shift) for h in range(24)) or 1.0
    m.load = [daily * 1000 * w / norm * rng.lognormvariate(0, 0.15) for w in weights]

    if m.kind == "pv-home":
        kwp = rng.uniform(3.0, 6.0)
        orientation = rng.uniform(0.85, 1.0)
        m.pv = [kwp * 1000 * clear_sky_yield(utc) * day_clearness * hour_cloud[k] * orientation
                * rng.lognormvariate(0, 0.05) for k, (utc, _) in enumerate(slots)]
    elif m.kind in ("hydro", "biogas"):
        kw = clip(m.size_kw * rng.lognormvariate(0, 0.3), 1.0, 200.0)
        phase = rng.uniform(0, 2 * math.pi)
        m.pv = [kw * 1000 * 0.9 * (1 + 0.04 * math.sin(2 * math.pi * local.hour / 24 + phase))
                * rng.lognormvariate(0, 0.03) for _, local in slots]
        m.load = [rng.uniform(10, 30) for _ in slots]  # auxiliaries, metered, never ordered
    else:
        m.pv = [0.0 for _ in slots]


def make_orders(m: Member, slots, rng: random.Random, weekend: bool) -> None:
    """One order per slot: consumers buy their load, producers sell their output, prosumers
    buy or sell their net. Limit prices in thousandths of a token per kWh."""
    buy_base = rng.uniform(0.17, 0.27)
    sell_base = rng.uniform(0.07, 0.11) if m.role == "producer" else rng.uniform(0.06, 0.10)
    for k, (_, local) in enumerate(slots):
        h = local.hour
        if m.role == "consumer":
            side, wh = "buy", m.load[k]
        elif m.role == "producer":
            side, wh = "sell", m.pv[k]
        else:
            net = m.load[k] - m.pv[k]
            side, wh = ("buy", net) if net >= 0 else ("sell", -net)
        wh = max(10, round(wh))
        if side == "buy":
            peak = 0.02 if (not weekend and 8 <= h < 19) else 0.0  # F1 band costs more at retail
            price = clip(buy_base + peak + rng.uniform(-0.01, 0.01), 0.15, 0.30)
        else:
            glut = -0.01 if 11 <= h < 15 else 0.0  # everybody's PV at noon
            price = clip(sell_base + glut + rng.uniform(-0.01, 0.01), 0.05, 0.12)
        m.orders.append((k, side, wh, round(price * 1000)))


def make_meters(m: Member, rng: random.Random, short_window: tuple[int, int, float] | None) -> None:
    """What the meters show: the forecast with ±10 % per hour (clipped Gaussian, σ 5 %), the
    member's own fault window (production or consumption at 50–70 % of the forecast), and for
    prosumers a sub-hour mismatch (PV and load not simultaneous inside the hour) that shows up
    on both registers without changing their difference."""
    def dev() -> float:
        return 1 + clip(rng.gauss(0, 0.05), -0.10, 0.10)

    for k in range(len(m.load)):
        factor = 1.0
        if short_window and short_window[0] <= k < short_window[1]:
            factor = short_window[2]
        if m.role == "consumer":
            load, gen = m.load[k] * dev() * factor, 0.0
        elif m.role == "producer":
            load, gen = m.load[k], m.pv[k] * dev() * factor
        else:
            load = m.load[k] * dev()
            gen = m.pv[k] * dev() * factor
        net = load - gen
        overlap = rng.uniform(0, 0.15) * min(load, gen) if m.role == "prosumer" else 0.0
        m.withdrawal.append(round(max(net, 0) + overlap) if m.role != "producer" else round(load))
        m.injection.append(round(max(-net, 0) + overlap) if m.role != "consumer" else 0)


def build(n: int, seed: int, date: dt.date):
    rng = random.Random(f"cer-bench/{seed}/{n}/{date.isoformat()}")
    slots = day_slots(date)
    weekend = date.weekday() >= 5
    day_clearness = rng.uniform(0.55, 1.0)  # one sky for the whole community
    hour_cloud = [rng.uniform(0.8, 1.0) for _ in slots]
    members = [Member(i, role, kind) for i, (role, kind) in enumerate(community_roles(n, rng))]
    # Producers are sized to the community: together they cover PRODUCER_COVERAGE of what the
    # other members consume over the day (a CER's plants are planned for its members).
    others = [m for m in members if m.role != "producer"]
    producers = [m for m in members if m.role == "producer"]
    for m in others:
        forecast(m, slots, rng, day_clearness, hour_cloud, weekend, date.month)
    consumption_kwh = sum(sum(m.load) for m in others) / 1000
    for m in producers:
        m.size_kw = PRODUCER_COVERAGE * max(consumption_kwh, 24.0) / 24 / len(producers)
        forecast(m, slots, rng, day_clearness, hour_cloud, weekend, date.month)
    for m in members:
        make_orders(m, slots, rng, weekend)

    # Deviations: ~5 % of sellers (at least one) lose 30–50 % of their output for 2–5 hours
    # (a cloud, a tripped inverter, a turbine stop); ~3 % of consumers (at least one when there
    # are ten) use 30–50 % less for 3–8 hours (away from home, a shop closed early).
    sellers = [m for m in members if m.role != "consumer"]
    buyers = [m for m in members if m.role == "consumer"]
    windows: dict[int, tuple[int, int, float]] = {}
    for m in rng.sample(sellers, min(len(sellers), max(1, round(len(sellers) * 0.05)))):
        if m.role == "prosumer":
            sun = [k for k in range(len(slots)) if m.pv[k] > m.load[k]] or list(range(10, 15))
            start = rng.choice(sun)
        else:
            start = rng.randrange(len(slots))
        length = rng.randint(2, 5)
        windows[m.index] = (start, min(start + length, len(slots)), 1 - rng.uniform(0.30, 0.50))
    few = max(1 if n >= 10 else 0, round(len(buyers) * 0.03))
    for m in rng.sample(buyers, min(len(buyers), few)):
        start = rng.randrange(len(slots))
        windows[m.index] = (start, min(start + rng.randint(3, 8), len(slots)), 1 - rng.uniform(0.30, 0.50))
    for m in members:
        make_meters(m, rng, windows.get(m.index))
    return members, slots, windows


# ---------------------------------------------------------------- output

def price_text(thousandths: int) -> str:
    return f"{thousandths // 1000}.{thousandths % 1000:03d}"


def manifest_text(members, n: int, seed: int, date: dt.date, batching: dict | None,
                  addresses: list[str]) -> str:
    counts: dict[str, int] = {}
    for m in members:
        counts[m.kind] = counts.get(m.kind, 0) + 1
    mix = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    lines = [
        f"# Generated by bench/generate.py --members {n} --seed {seed} --date {date.isoformat()}: do not edit.",
        f"# Community: {mix}; {len(members[0].orders)} hourly orders per member (one per slot).",
        "version: 1",
        "session:",
        f"  id: bench-n{n}-s{seed}" + (f"-{batching['submission']}" if batching else "") + "-{date}",
        f"  community: CER Bench ({n} members, seed {seed})",
        f"  timezone: {TIMEZONE}",
        '  delivery_day: "{date}"',
        "  slot_minutes: 60",
        '  deposit: "1.00"',
        '  seller_bond_per_kwh: "0.05"',
        "chain: {dev: true}",
        "contracts: {deploy: true}",
        f"operator: {{dev_account: {OPERATOR_ACCOUNT}}}",
        'deadlines: {commit: "D-1 18:00", reveal: "D-1 20:00"}',
        "participants:",
    ]
    for m in members:
        orders = ", ".join(f"{{slot: {s}, side: {side}, wh: {wh}, price: \"{price_text(p)}\"}}"
                           for s, side, wh, p in m.orders)
        lines.append(f"  - {{id: {m.id}, address: \"{addresses[m.account]}\", pod: {m.pod}, role: {m.role}, "
                     f"adhesion: adhesion.txt, key: {{dev_account: {m.account}}},")
        lines.append(f"     orders: [{orders}]}}")
    lines += [
        "clearing:",
        "  plugin: uniform-price",
        "  params: {price_rule: midpoint}",
        "validation:",
        "  source:",
        '    csv: {files: ["meters/{date}.csv"]}',
        "  missing: fail",
        "  tolerance: {wh: 20, per_mille: 20}",
        '  penalty_per_kwh: {seller: "0.05", buyer: "0.02"}',
        "settlement:",
        "  mode: batch",
    ]
    if batching:
        lines += ["batching:", f"  submission: {batching['submission']}", f"  max_gas: {batching['max_gas']}"]
    return "\n".join(lines) + "\n"


def meters_text(members, slots) -> str:
    out = ["pod,timestamp,withdrawal,injection"]
    for m in members:
        for k, (_, local) in enumerate(slots):
            out.append(f"{m.pod},{local.isoformat()},{m.withdrawal[k]},{m.injection[k]}")
    return "\n".join(out) + "\n"


ADHESION = """CER Bench — documento di adesione (sintetico, per il benchmark)

Il sottoscritto aderisce alla comunità energetica rinnovabile "CER Bench" e ne accetta lo
statuto e il regolamento del mercato locale dell'energia. Documento generato da
bench/generate.py: identico per tutti i membri, ciascuno ne notarizza l'hash keccak-256 alla
registrazione.
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", type=int, required=True, help="community size N")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--date", required=True, help="delivery day YYYY-MM-DD")
    p.add_argument("--out", required=True, help="output folder (created)")
    p.add_argument("--submission", choices=["relayed", "direct"], default="relayed")
    p.add_argument("--max-gas", type=int, default=15_000_000)
    p.add_argument("--no-batching-section", action="store_true",
                   help="omit the manifest's `batching:` section (runners that do not know it yet)")
    p.add_argument("--summary", action="store_true", help="print the community's figures")
    a = p.parse_args(argv)
    if a.members < 1:
        p.error("--members must be at least 1")
    date = dt.date.fromisoformat(a.date)
    if FIRST_MEMBER_ACCOUNT + a.members - 1 > DEV_ACCOUNT_LIMIT:
        print(f"warning: {a.members} members need dev accounts up to {FIRST_MEMBER_ACCOUNT + a.members - 1}; "
              f"cer-run's manifest parser accepts dev_account 0…{DEV_ACCOUNT_LIMIT} (at most "
              f"{DEV_ACCOUNT_LIMIT - FIRST_MEMBER_ACCOUNT + 1} members), so `cer-run validate` will refuse it",
              file=sys.stderr)
    out = Path(a.out)
    (out / "meters").mkdir(parents=True, exist_ok=True)

    addresses = dev_addresses(FIRST_MEMBER_ACCOUNT + a.members)
    members, slots, windows = build(a.members, a.seed, date)
    batching = None if a.no_batching_section else {"submission": a.submission, "max_gas": a.max_gas}
    (out / "manifest.yaml").write_text(manifest_text(members, a.members, a.seed, date, batching, addresses))
    (out / "adhesion.txt").write_text(ADHESION)
    (out / "meters" / f"{date.isoformat()}.csv").write_text(meters_text(members, slots))

    if a.summary:
        buy = sum(wh for m in members for _, s, wh, _ in m.orders if s == "buy")
        sell = sum(wh for m in members for _, s, wh, _ in m.orders if s == "sell")
        counts: dict[str, int] = {}
        for m in members:
            counts[m.kind] = counts.get(m.kind, 0) + 1
        print(f"{a.members} members ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
              f"{len(slots)} slots, {sum(len(m.orders) for m in members)} orders; "
              f"bids {buy / 1000:.1f} kWh, offers {sell / 1000:.1f} kWh; "
              f"{len(windows)} members with a shortfall window")
    return 0


if __name__ == "__main__":
    sys.exit(main())
