#!/usr/bin/env python3
"""Writes the demo community's meter readings for one day, as an Italian distributor exports
them: UTF-8 with BOM, `;` separator, decimal comma, kWh, 15-minute intervals labelled by their
end (00:15 … 24:00), local time (Europe/Rome; the demo day is never a DST day).

    make-meters.py 2026-11-26 > manifests/demo/meters/2026-11-26.csv

Each member withdraws a household base load plus what it bought, and producers inject what
they sold plus a margin, except two deviations the demo's validation must catch: dario's PV
falls short in slot 13 and elena consumes less than she bought in slot 14."""
import sys

if len(sys.argv) != 2:
    sys.exit("usage: make-meters.py YYYY-MM-DD")
year, month, day = sys.argv[1].split("-")

# (POD suffix, {slot: sell Wh}, {slot: buy Wh}) — mirrors the orders in manifests/demo.yaml.
MEMBERS = [
    ("01", {12: 2500, 13: 2000}, {20: 1500}),
    ("02", {}, {12: 1000, 20: 2000}),
    ("03", {}, {12: 1200, 13: 1000}),
    ("04", {12: 3000, 13: 3000, 14: 3000}, {}),
    ("05", {}, {13: 1500, 14: 2000}),
    ("06", {14: 1000}, {19: 1000}),
    ("07", {}, {19: 1000, 20: 1000}),
    ("08", {19: 2000, 20: 4000}, {}),
    ("09", {}, {8: 800}),
    ("10", {8: 800}, {21: 1000}),
]
SHORT_INJECTION = {("04", 13): 1800}  # dario: a cloud over the PV plant
SHORT_WITHDRAWAL = {("05", 14): 900}  # elena: away from home

def kwh(wh):
    return f"{wh // 1000},{wh % 1000:03d}"

out = sys.stdout
out.write("\ufeffPOD;Data;Ora;Prelievo;Immissione\r\n")
for pod, sells, buys in MEMBERS:
    for slot in range(24):
        withdrawal = SHORT_WITHDRAWAL.get((pod, slot), 180 + buys.get(slot, 0) + (60 if buys.get(slot) else 0))
        injection = SHORT_INJECTION.get((pod, slot), sells[slot] + 150 if slot in sells else 0)
        for quarter in range(4):
            w = withdrawal // 4 + (withdrawal % 4 if quarter == 3 else 0)
            i = injection // 4 + (injection % 4 if quarter == 3 else 0)
            minutes = slot * 60 + (quarter + 1) * 15
            out.write(
                f"IT001E000000{pod};{day}/{month}/{year};{minutes // 60:02d}:{minutes % 60:02d};{kwh(w)};{kwh(i)}\r\n")
