#!/usr/bin/env python3
"""Browser check of a SessionReport page.

Usage: check_report.py REPORT_DIR [--screenshot-dir DIR]

REPORT_DIR holds report.html and report-data.json (as written by cer-run). The check
1. renders report.html with headless chromium and saves a screenshot (report.png),
2. decodes the PNG (pure Python) and asserts it is not blank,
3. compares every data-value of the members, slots, hours, transactions and totals tables
   with report-data.json (exact string equality) and checks that the page references no
   external URL.

Python 3 standard library only. Exit status 0 on success, 1 with a message otherwise.
"""

import argparse
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM_TIMEOUT_SECONDS = 120
MIN_DISTINCT_COLOURS = 16
MIN_NON_WHITE_FRACTION = 0.03


class CheckError(Exception):
    """A failed check, with a message for the user."""


# ---------------------------------------------------------------- screenshot


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise CheckError("chromium not found on PATH (tried 'chromium' and 'chromium-browser'); "
                     "install it, e.g. apt-get install -y chromium")


def screenshot(html_path, out_dir):
    out = os.path.join(out_dir, "report.png")
    if os.path.exists(out):
        os.remove(out)
    with tempfile.TemporaryDirectory(prefix="cer-report-chromium-") as profile:
        command = [
            find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1280,2400",
            "--screenshot=" + out, "file://" + os.path.abspath(html_path),
        ]
        try:
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    timeout=CHROMIUM_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise CheckError("chromium did not finish within %d s" % CHROMIUM_TIMEOUT_SECONDS)
    if not os.path.exists(out) or os.path.getsize(out) == 0:
        tail = result.stdout.decode("utf-8", "replace")[-2000:]
        raise CheckError("chromium wrote no screenshot (exit %d):\n%s" % (result.returncode, tail))
    return out


# ---------------------------------------------------------------- PNG decoding


def dump_dom(html_path):
    """The page's DOM after Chromium loaded and laid it out (`--dump-dom`)."""
    binary = find_chromium()
    with tempfile.TemporaryDirectory(prefix="cer-report-dom-") as profile:
        result = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--user-data-dir=" + profile, "--dump-dom", "file://" + os.path.abspath(html_path)],
            capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or "<table" not in result.stdout:
        raise CheckError("chromium --dump-dom failed (exit %d):\n%s" % (result.returncode, result.stderr[-2000:]))
    return result.stdout


def decode_png(path):
    """Returns (width, height, channels, rows) for an 8-bit RGB or RGBA PNG; rows are bytearrays."""
    with open(path, "rb") as handle:
        blob = handle.read()
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        raise CheckError("%s is not a PNG file" % path)
    offset = 8
    header = None
    idat = []
    while offset < len(blob):
        if offset + 8 > len(blob):
            raise CheckError("truncated PNG chunk header")
        length, kind = struct.unpack(">I4s", blob[offset:offset + 8])
        data = blob[offset + 8:offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"IEND":
            break
    if header is None:
        raise CheckError("PNG without IHDR")
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise CheckError("unsupported PNG (depth %d, colour type %d, interlace %d): expected 8-bit "
                         "RGB or RGBA, not interlaced" % (depth, colour, interlace))
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    if len(raw) < height * (stride + 1):
        raise CheckError("PNG image data is too short")
    rows = []
    previous = bytearray(stride)
    position = 0
    for _ in range(height):
        kind = raw[position]
        line = bytearray(raw[position + 1:position + 1 + stride])
        position += stride + 1
        unfilter(kind, line, previous, channels)
        rows.append(line)
        previous = line
    return width, height, channels, rows


def unfilter(kind, line, previous, bpp):
    n = len(line)
    if kind == 0:
        return
    if kind == 1:
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(n):
            line[i] = (line[i] + previous[i]) & 0xFF
    elif kind == 3:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            if pa <= pb and pa <= pc:
                predictor = a
            elif pb <= pc:
                predictor = b
            else:
                predictor = c
            line[i] = (line[i] + predictor) & 0xFF
    else:
        raise CheckError("bad PNG filter type %d" % kind)


def check_not_blank(path):
    width, height, channels, rows = decode_png(path)
    colours = set()
    non_white = 0
    total = 0
    for y in range(0, height, 2):
        line = rows[y]
        for x in range(0, width, 2):
            i = x * channels
            pixel = (line[i], line[i + 1], line[i + 2])
            colours.add(pixel)
            total += 1
            if pixel[0] < 245 or pixel[1] < 245 or pixel[2] < 245:
                non_white += 1
    fraction = non_white / float(max(1, total))
    if len(colours) < MIN_DISTINCT_COLOURS:
        raise CheckError("screenshot looks blank: only %d distinct colours" % len(colours))
    if fraction < MIN_NON_WHITE_FRACTION:
        raise CheckError("screenshot looks blank: only %.1f%% non-white pixels" % (100 * fraction))
    return width, height, len(colours), fraction


# ---------------------------------------------------------------- HTML tables


TABLE_ROW_KEYS = {
    "members": "data-member",
    "slots": "data-slot",
    "hours": "data-hour",
    "transactions": "data-tx",
    "totals": "data-total",
}


class ReportParser(html.parser.HTMLParser):
    """Collects, per table id, the rows carrying the table's row key and their data-field cells,
    and every src/href attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = {name: [] for name in TABLE_ROW_KEYS}
        self.table_stack = []
        self.row = None
        self.links = []
        self.scripts_with_src = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("src", "href", "xlink:href", "action", "data", "poster"):
            if name in attributes and attributes[name] is not None:
                self.links.append((tag, name, attributes[name]))
        if tag == "table":
            self.table_stack.append(attributes.get("id"))
            return
        table = self.table_stack[-1] if self.table_stack else None
        if table not in TABLE_ROW_KEYS:
            return
        if tag == "tr":
            key = attributes.get(TABLE_ROW_KEYS[table])
            self.row = None
            if key is not None:
                self.row = {"key": key, "fields": {}}
                self.tables[table].append(self.row)
            return
        if self.row is not None and "data-field" in attributes:
            field = attributes["data-field"]
            if field in self.row["fields"]:
                raise CheckError("table %s row %s: field %s appears twice" % (table, self.row["key"], field))
            self.row["fields"][field] = attributes.get("data-value")
            self.row.setdefault("shown", {})[field] = ""
            self.open_cells.append((tag, field, self.row))

    open_cells = None

    def reset(self):
        super().reset()
        self.open_cells = []

    def handle_data(self, data):
        # What the reader sees: the text of every cell still open (a span inside a cell too).
        for _, field, row in self.open_cells:
            row["shown"][field] += data

    def handle_endtag(self, tag):
        if self.open_cells and self.open_cells[-1][0] == tag:
            self.open_cells.pop()
        if tag == "table" and self.table_stack:
            self.table_stack.pop()
            self.row = None
            self.open_cells = []
        elif tag == "tr":
            self.row = None
            self.open_cells = []


def raw(value):
    """A JSON value as the page writes it in data-value: numbers and strings verbatim, null as absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# The scalar fields of each row in the JSON model; a field missing from the JSON is null (no data-value).
ROW_FIELDS = {
    "members": ["id", "address", "pod", "role", "boughtWh", "soldWh", "deliveredWh", "paid", "received",
                "penalty", "available", "locked", "wallet"],
    "slots": ["slot", "start", "price", "volumeWh", "validatedWh"],
    "hours": ["hour", "start", "tradedWh", "sharedEnergyWh"],
    "transactions": ["step", "sender", "hash", "nonce", "block", "status", "gasUsed"],
}


# How each numeric field is shown, written here independently of the renderer: money with the
# token's decimals, energy in kWh with 3 decimals, both by moving the decimal point in the digits.
MONEY_FIELDS = {"paid", "received", "penalty", "available", "locked", "wallet", "finalBalance", "price",
                "penalties", "dust", "treasury"}
ENERGY_FIELDS = {"boughtWh", "soldWh", "deliveredWh", "volumeWh", "validatedWh", "tradedWh", "sharedEnergyWh"}
PLAIN_FIELDS = {"nonce", "block", "gasUsed", "bidCount", "offerCount"}


def point(digits, places):
    digits = digits.lstrip("0") or "0"
    if places == 0:
        return digits
    digits = digits.rjust(places + 1, "0")
    return digits[:-places] + "." + digits[-places:]


def shown_as(field, value, decimals):
    """The text a numeric cell must show for its raw value, or None when the field is not numeric."""
    if value is None:
        return "—"
    if field in MONEY_FIELDS:
        return point(value, decimals)
    if field in ENERGY_FIELDS:
        return point(value, 3)
    if field in PLAIN_FIELDS:
        return value
    return None


def check_shown(table, key, row, decimals, errors):
    for field, text in row.get("shown", {}).items():
        expected = shown_as(field, row["fields"].get(field), decimals)
        if expected is not None and " ".join(text.split()) != expected:
            errors.append("%s[%s].%s: the page shows %r for %r, expected %r"
                          % (table, key, field, " ".join(text.split()), row["fields"].get(field), expected))


def compare_row(table, key, json_row, fields, errors, derived=None):
    derived = derived or {}
    expected = list(ROW_FIELDS[table])
    expected += [f for f, v in json_row.items() if f not in expected and not isinstance(v, (list, dict))]
    for field in expected:
        value = raw(json_row.get(field))
        if field not in fields:
            errors.append("%s[%s]: field %r missing from the page" % (table, key, field))
        elif fields[field] != value:
            errors.append("%s[%s].%s: page has %r, JSON has %r" % (table, key, field, fields[field], value))
    for field, page_value in fields.items():
        if field in expected:
            continue
        if field in derived:
            if page_value != derived[field]:
                errors.append("%s[%s].%s: page has %r, expected %r" % (table, key, field, page_value,
                                                                       derived[field]))
        else:
            errors.append("%s[%s]: page has field %r that is not in the JSON model" % (table, key, field))


def check_rows(table, rows, json_rows, key_of, errors, derived_of=None):
    if len(rows) != len(json_rows):
        errors.append("table %s: %d rows on the page, %d in the JSON" % (table, len(rows), len(json_rows)))
    for index, json_row in enumerate(json_rows):
        key = key_of(json_row)
        if index >= len(rows):
            break
        if rows[index]["key"] != key:
            errors.append("table %s row %d: key %r, JSON has %r" % (table, index, rows[index]["key"], key))
        derived = derived_of(json_row) if derived_of else None
        compare_row(table, key, json_row, rows[index]["fields"], errors, derived)
        check_shown(table, key, rows[index], DECIMALS[0], errors)


DECIMALS = [0]


def check_tables(html_text, data):
    parser = ReportParser()
    parser.feed(html_text)
    parser.close()
    errors = []
    DECIMALS[0] = int(data.get("tokenDecimals", 0))
    for row in parser.tables["totals"]:
        check_shown("totals", row["key"], row, DECIMALS[0], errors)
    for name in TABLE_ROW_KEYS:
        if ('id="%s"' % name) not in html_text and data_rows(name, data):
            errors.append("table id=%r is missing" % name)

    def final_balance(member):
        parts = [member.get(key) for key in ("available", "locked", "wallet")]
        if any(part is None for part in parts):
            return {"finalBalance": None}
        return {"finalBalance": str(sum(int(part) for part in parts))}

    def slot_counts(slot):
        return {"bidCount": str(len(slot.get("bids", []))), "offerCount": str(len(slot.get("offers", [])))}

    check_rows("members", parser.tables["members"], data["members"], lambda m: m["id"], errors, final_balance)
    check_rows("slots", parser.tables["slots"], data["slots"], lambda s: str(s["slot"]), errors, slot_counts)
    check_rows("hours", parser.tables["hours"], data["hours"], lambda h: str(h["hour"]), errors)
    check_rows("transactions", parser.tables["transactions"], data["transactions"], lambda t: t["hash"], errors)
    totals = data["totals"]
    page_totals = {row["key"]: row["fields"].get(row["key"]) for row in parser.tables["totals"]}
    for field in ("tradedWh", "validatedWh", "sharedEnergyWh", "paid", "received", "penalties", "dust",
                  "treasury"):
        if field not in page_totals:
            errors.append("totals: row %r missing from the page" % field)
        elif page_totals[field] != raw(totals.get(field)):
            errors.append("totals.%s: page has %r, JSON has %r" % (field, page_totals[field],
                                                                   raw(totals.get(field))))
    for tag, attribute, value in parser.links:
        lowered = value.strip().lower()
        if lowered.startswith(("http:", "https:", "//", "ftp:")) or "://" in lowered:
            errors.append("external reference <%s %s=%r>" % (tag, attribute, value))
    lowered_page = html_text.lower()
    for needle in ("@import", "url(http", "url(//", "url(\"http", "url('http"):
        if needle in lowered_page:
            errors.append("style sheet references an external resource (%s)" % needle)
    if errors:
        shown = "\n  ".join(errors[:40])
        more = "" if len(errors) <= 40 else "\n  … and %d more" % (len(errors) - 40)
        raise CheckError("report.html does not match report-data.json:\n  %s%s" % (shown, more))
    return {name: len(rows) for name, rows in parser.tables.items()}


def data_rows(name, data):
    return True if name == "totals" else bool(data.get(name))


# ---------------------------------------------------------------- main


def check(report_dir, screenshot_dir=None):
    html_path = os.path.join(report_dir, "report.html")
    json_path = os.path.join(report_dir, "report-data.json")
    for path in (html_path, json_path):
        if not os.path.isfile(path):
            raise CheckError("missing %s" % path)
    with open(html_path, encoding="utf-8") as handle:
        html_text = handle.read()
    with open(json_path, encoding="utf-8") as handle:
        data = json.load(handle)
    counts = check_tables(html_text, data)
    # The same checks on the document as Chromium parsed it, and its charts.
    dom = dump_dom(html_path)
    check_tables(dom, data)
    charts = dom.count("<svg")
    if charts < 3 or "<path" not in dom and "<rect" not in dom:
        raise CheckError("the rendered page has %d SVG charts (at least 3 expected) or nothing drawn in them" % charts)
    png = screenshot(html_path, screenshot_dir or report_dir)
    width, height, colours, fraction = check_not_blank(png)
    return ("ok: %s — tables %s; screenshot %s %dx%d, %d colours, %.1f%% non-white"
            % (report_dir, ", ".join("%s=%d" % item for item in sorted(counts.items())), png, width, height,
               colours, 100 * fraction))


def main(argv=None):
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("report_dir", help="folder with report.html and report-data.json")
    arguments.add_argument("--screenshot-dir", help="where to write report.png (default: REPORT_DIR)")
    options = arguments.parse_args(argv)
    try:
        print(check(options.report_dir, options.screenshot_dir))
    except CheckError as error:
        print("check_report: FAIL: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
