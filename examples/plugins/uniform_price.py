#!/usr/bin/env python3
"""A cer-clearing/1 exec plugin: uniform-price clearing in plain Python, integers only.

Usage: cer-run clear --plugin "exec:python3 examples/plugins/uniform_price.py" < book.json

Reads the request on stdin, writes the result on stdout. Per slot: bids by descending limit,
asks by ascending limit (equal limits by order id); units trade while the best remaining bid is
at least the best remaining ask. Orders are filled in that order (no pro-rata sharing: at equal
limits the smaller id is served first). The slot price is floor((last bid + last ask) / 2) of
the last pair that traded, so no filled buyer pays above its limit and no filled seller gets
below its own. A simpler rule than the built-in uniform-price: an example, not a reference.
"""
import json
import sys


def number(value):
    """Quantities and prices arrive as decimal strings (or JSON integers)."""
    return int(value)


def clear_slot(orders):
    bids = sorted((o for o in orders if o["side"] == "buy"), key=lambda o: (-number(o["limitPrice"]), o["id"]))
    asks = sorted((o for o in orders if o["side"] == "sell"), key=lambda o: (number(o["limitPrice"]), o["id"]))
    filled = {}
    i = j = 0
    bid_left = number(bids[0]["quantityWh"]) if bids else 0
    ask_left = number(asks[0]["quantityWh"]) if asks else 0
    last = None
    while i < len(bids) and j < len(asks) and number(bids[i]["limitPrice"]) >= number(asks[j]["limitPrice"]):
        traded = min(bid_left, ask_left)
        filled[bids[i]["id"]] = filled.get(bids[i]["id"], 0) + traded
        filled[asks[j]["id"]] = filled.get(asks[j]["id"], 0) + traded
        last = (number(bids[i]["limitPrice"]), number(asks[j]["limitPrice"]))
        bid_left -= traded
        ask_left -= traded
        if bid_left == 0:
            i += 1
            bid_left = number(bids[i]["quantityWh"]) if i < len(bids) else 0
        if ask_left == 0:
            j += 1
            ask_left = number(asks[j]["quantityWh"]) if j < len(asks) else 0
    if last is None:
        return None, 0, []
    price = (last[0] + last[1]) // 2
    volume = sum(q for o in bids if (q := filled.get(o["id"], 0)))
    fills = [{"orderId": oid, "quantityWh": str(q), "price": str(price)} for oid, q in filled.items() if q > 0]
    return price, volume, fills


def clear(request):
    if request.get("protocol") != "cer-clearing/1":
        raise ValueError("not a cer-clearing/1 request")
    slots = request["slots"]
    by_slot = {}
    for order in request["orders"]:
        by_slot.setdefault(order["slot"], []).append(order)
    result = {"protocol": "cer-clearing/1", "slots": [], "fills": []}
    for slot in range(slots):
        price, volume, fills = clear_slot(by_slot.get(slot, []))
        result["slots"].append({"slot": slot, "price": None if price is None else str(price), "volumeWh": str(volume)})
        result["fills"].extend(fills)
    result["fills"].sort(key=lambda f: f["orderId"])
    return result


def main():
    try:
        request = json.load(sys.stdin)
        json.dump(clear(request), sys.stdout)
    except (ValueError, KeyError, TypeError) as error:
        print(f"uniform_price.py: bad request: {error!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
