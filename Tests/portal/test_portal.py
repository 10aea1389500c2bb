"""The member portal in headless Chromium against `cer-run serve` and a dev chain, end to end:
the page's own Keccak-256/ABI vectors and commitment (against the contract's computeCommitment
through eth_call), onboarding until Active after approval on the admin page, a commit and a
reveal from the page that the runner then clears, a withdraw; the language switch, the wrong
chain warning and the phone layout. The tests run in order and build on each other."""

import glob
import json
import os
import random
import urllib.request

from eth_abi import encode
from eth_utils import keccak
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import rpc as chainrpc
from conftest import CHAIN_ID, OUT
from pages import by_id, connect, message, network_requests, open_view, refresh, reload_view, screenshot, wait

IMPORTS = """
const done = arguments[arguments.length - 1];
Promise.all([import('/js/keccak.js'), import('/js/abi.js'), import('/js/units.js'), import('/js/market.js')])
  .then(([k, a, u, m]) => { try { done({ok: true, value: (%s)(k, a, u, m, arguments[0])}); }
                          catch (e) { done({ok: false, error: String(e && e.stack || e)}); } },
        (e) => done({ok: false, error: String(e)}));
"""


# Rewrites the session detail's marketplace (arguments[0]) in the page's API answers.
OTHER_MARKET_FETCH = r"""
    window.__realFetch = window.__realFetch || window.fetch;
    const other = arguments[0];
    window.fetch = async (input, init) => {
      const r = await window.__realFetch(input, init);
      if (!/\/api\/v1\/sessions\/[^/?]+$/.test(String(input))) return r;
      const body = await r.json();
      body.marketplace = other;
      return new Response(JSON.stringify(body), {status: r.status, headers: {"Content-Type": "application/json"}});
    };"""


def in_page(driver, function_source, argument=None):
    """Runs `function_source` — (keccak, abi, units, market, argument) => value — in the page."""
    answer = driver.execute_async_script(IMPORTS % function_source, argument)
    assert answer["ok"], answer.get("error")
    return answer["value"]


def api(portal, path):
    with urllib.request.urlopen(portal.base_url + path, timeout=30) as response:
        return json.loads(response.read())


def test_keccak_abi_and_units_vectors_in_page(portal):
    d = open_view(portal, "join")
    long_input = bytes(i % 251 for i in range(3000))
    types = ["uint256", "uint64", "bytes32", "address", "bool", "uint256[]", "(uint256,bool,address)", "(uint64,uint256[])[]"]
    values = [2**256 - 1, 2**64 - 1, b"\xab" * 32, portal.member, True, [0, 1, 2**200],
              (7, False, portal.carla), [(1, [2, 3]), (4, [])]]
    expected = "0x" + encode(types, values).hex()
    js_values = [str(2**256 - 1), str(2**64 - 1), "0x" + "ab" * 32, portal.member, True, ["0", "1", str(2**200)],
                 ["7", False, portal.carla], [["1", ["2", "3"]], ["4", []]]]
    got = in_page(d, """(k, a, u, m, arg) => ({
        empty: k.keccakHex(''), abc: k.keccakHex('abc'), long: k.keccakHex(k.fromHex(arg.long)),
        encoded: k.toHex(a.encode(arg.types, arg.values)),
        roundTrip: JSON.stringify(a.decode(arg.types, arg.expected), (key, v) => typeof v === 'bigint' ? v.toString() : v),
        selector: k.toHex(a.selector('transfer(address,uint256)')),
        checksum: a.checksumAddress(arg.member.toLowerCase()),
        wh: u.kwhToWh('1.2340').toString(), price: u.parseDecimal('0,21', 6).toString(),
        whPlain: ['1.5', '2,25', '0.125', '1234.5', '1,2340', '5'].map((s) => u.kwhToWh(s).toString()),
        big: u.parseDecimal('123456789012345678901234567890.123456', 6).toString(),
        format: [u.formatUnits(1234567n, 6), u.formatUnits(5000000n, 6), u.formatUnits(1n, 6), u.formatUnits(0n, 6)],
        bad: ['1.2345', '1.23401', '-1', '1e3', '', '.', '0x10', '1.2.3'].map((s) => { try { u.kwhToWh(s); return 'accepted ' + s; } catch { return 'refused'; } }),
        word: '0x' + m.packOrder({slot: 24, side: 'sell', wh: 18446744073709551615n, limitPrice: 1n}).toString(16),
        ambiguous: ['1,000', '12,345', '1.000', '12.500', '999.000', '1.234', '1.000,5', '1,000.5', '1 000', "1'000", '1.000.000', '1,000,000'].map((s) => {
          try { u.parseDecimal(s, 6); return 'accepted ' + s; } catch (e) { return e.ambiguous === true ? 'ambiguous' : 'refused ' + s; } }),
        decimalComma: ['1,5', '1,50', '0,21', '1,0000', '0,250', '0.125', '1234.500', '1000,000'].map((s) => u.parseDecimal(s, 6).toString()),
        noDecimals: [null, undefined].map((d) => { try { u.parseDecimal('1', d); return 'accepted'; } catch { return 'refused'; } }),
        whBoth: [u.whToKwh(1500), u.whToKwh('1500'), u.whToKwh('18446744073709551615'), u.toBig(7).toString(), u.toBig('7').toString()],
        whBad: [1.5, '1.5', 'abc', '1e3'].map((x) => { try { u.toBig(x); return 'accepted ' + x; } catch { return 'refused'; } }),
        participation: [[(1n << 255n) | 1n, 'settled'], [(1n << 255n) | 1n, 'validated'], [(1n << 255n) | 1n, 'cancelled'],
                        [(1n << 255n) | (5n << 2n) | 1n, 'settled'], [(1n << 255n) | (5n << 2n), 'validated']]
          .map(([w, st]) => { const p = m.decodeParticipation(w, st); return p.state + ' ' + (p.amount ?? '-'); }),
        block: [
          [{chain: true, chainId: 1337, marketplace: arg.member}, {marketplace: arg.member.toLowerCase()}, 1337n],
          [{chain: false, chainId: 1337, marketplace: arg.member}, {marketplace: arg.member}, 1337n],
          [{chain: true, chainId: 1337, marketplace: null}, {marketplace: arg.member}, 1337n],
          [{chain: true, chainId: 1337, marketplace: arg.member}, {marketplace: arg.carla}, 1337n],
          [{chain: true, chainId: 1337, marketplace: arg.member}, {marketplace: null}, 1337n],
          [{chain: true, chainId: 1337, marketplace: arg.member}, {marketplace: arg.member}, 1n],
          [{chain: true, chainId: 1337, marketplace: arg.member}, {marketplace: arg.member}, null],
        ].map(([info, s, id]) => m.sessionBlock(info, s, id)),
      })""", {"long": "0x" + long_input.hex(), "types": types, "values": js_values, "expected": expected,
               "member": portal.member, "carla": portal.carla})
    assert got["empty"] == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert got["abc"] == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert got["long"] == "0x" + keccak(long_input).hex()
    assert got["encoded"] == expected
    round_trip = json.loads(got["roundTrip"])
    assert round_trip[0] == str(2**256 - 1) and round_trip[2] == "0x" + "ab" * 32
    assert round_trip[3].lower() == portal.member.lower() and round_trip[4] is True
    assert round_trip[5] == ["0", "1", str(2**200)] and round_trip[7] == [["1", ["2", "3"]], ["4", []]]
    assert got["selector"] == "0xa9059cbb"
    assert got["checksum"] == portal.member
    assert (got["wh"], got["price"]) == ("1234", "210000")
    assert got["big"] == "123456789012345678901234567890123456"
    assert got["format"] == ["1.234567", "5.00", "0.000001", "0.00"]
    assert got["whPlain"] == ["1500", "2250", "125", "1234500", "1234", "5000"]
    assert got["bad"] == ["refused"] * 8
    assert got["word"] == hex(1 | (2**64 - 1) << 64 | 1 << 128 | 24 << 136)
    # One to three digits, a comma or a point and exactly three digits, or any thousands grouping,
    # is refused as ambiguous ("1,000" and "1.000" are not silently 1 kWh); a decimal comma or
    # point otherwise works ("0,250", "1234.500"); no decimals, no parsing.
    assert got["ambiguous"] == ["ambiguous"] * 12
    assert got["decimalComma"] == [
        "1500000", "1500000", "210000", "1000000", "250000", "125000", "1234500000", "1000000000",
    ]
    assert got["noDecimals"] == ["refused", "refused"]
    # Wh from the API as JSON numbers or decimal strings, exact beyond 2^53.
    assert got["whBoth"] == ["1.5", "1.5", "18446744073709551.615", "7", "7"]
    assert got["whBad"] == ["refused"] * 4
    # The cancellation word is also "settled with nothing to collect": only a cancelled session
    # reads it as released.
    assert got["participation"] == ["settled 0", "settled 0", "released -", "settled 5", "validated 5"]
    # Sessions are acted on only on the server's marketplace (any case), chain read, wallet on it.
    assert got["block"] == [None, "block.noChain", "block.noChain", "block.otherMarket", "block.otherMarket",
                            "block.wrongChain", "block.noWallet"]


def test_page_runs_under_its_content_security_policy(portal):
    """The server's CSP (no inline script, no eval) is sent and enforced, and the page works with
    it: every page load of these tests fails on a violation (pages.no_page_error). The probe below
    shows that an inline script is refused and reported, so that check can fail."""
    d = open_view(portal, "join")
    with urllib.request.urlopen(portal.base_url + "/", timeout=30) as response:
        policy = response.headers.get("Content-Security-Policy") or ""
    assert "default-src 'self'" in policy and "unsafe-eval" not in policy and "script-src" not in policy, policy
    assert d.execute_script("return document.querySelectorAll('script:not([src]), [onclick], [onload], [onchange]').length") == 0
    d.execute_script("""window.__cspViolations = [];
        const s = document.createElement('script'); s.textContent = 'window.__inlineRan = true'; document.head.append(s);""")
    wait(lambda: d.execute_script("return window.__cspViolations.length") > 0, message="the inline script refused")
    assert d.execute_script("return window.__inlineRan === undefined")
    d.execute_script("window.__cspViolations = []")
    d.get_log("browser")  # the probe's own "Refused to execute inline script" line


def test_commitment_equals_contract_compute_commitment(portal):
    d = open_view(portal, "join")
    rng = random.Random(10)
    cases = []
    for slots in (23, 24, 25, 25, 23, 96):
        count = rng.randint(1, min(slots, 30))
        orders = [{"slot": rng.randrange(slots), "side": rng.choice(["buy", "sell"]),
                   "wh": rng.randint(1, 2**64 - 1) if rng.random() < 0.3 else rng.randint(1, 10_000),
                   "limitPrice": rng.randint(0, 2**64 - 1) if rng.random() < 0.3 else rng.randint(0, 500_000)}
                  for _ in range(count)]
        if slots in (23, 25):
            orders[0]["slot"] = slots - 1  # the last slot of a DST day
        cases.append({"sessionId": rng.randint(1, 2**64), "orders": orders,
                      "salt": "0x" + bytes(rng.getrandbits(8) for _ in range(32)).hex()})
    js = in_page(d, """(k, a, u, m, arg) => arg.cases.map((c) => {
        const words = c.orders.map((o) => m.packOrder({slot: o.slot, side: o.side, wh: BigInt(o.wh), limitPrice: BigInt(o.limitPrice)}));
        return {words: words.map((w) => w.toString()),
                commitment: m.computeCommitment(BigInt(arg.chainId), arg.market, BigInt(c.sessionId), arg.member, words, c.salt)};
      })""", {"cases": [dict(c, sessionId=str(c["sessionId"]), orders=[dict(o, wh=str(o["wh"]), limitPrice=str(o["limitPrice"])) for o in c["orders"]]) for c in cases],
              "market": portal.marketplace, "member": portal.member, "chainId": str(CHAIN_ID)})
    assert len(js) == len(cases)
    for case, got in zip(cases, js):
        words = [o["limitPrice"] | o["wh"] << 64 | (1 if o["side"] == "sell" else 0) << 128 | o["slot"] << 136
                 for o in case["orders"]]
        assert [int(w) for w in got["words"]] == words
        (on_chain,) = chainrpc.call(portal.rpc, portal.marketplace,
                                    "computeCommitment(uint256,address,uint256[],bytes32)",
                                    ["uint256", "address", "uint256[]", "bytes32"],
                                    [case["sessionId"], portal.member, words, bytes.fromhex(case["salt"][2:])],
                                    ["bytes32"])
        assert got["commitment"] == "0x" + on_chain.hex(), case


def test_onboarding_until_active_after_admin_approval(portal):
    d = open_view(portal, "join")
    assert d.find_element(By.ID, "nav-join").text == "Adesione"  # Italian by default
    connect(portal)
    wait(lambda: by_id(d, "member-status").get_attribute("data-status") == "none", message="status none")
    by_id(d, "adhesion-file").send_keys(portal.adhesion_pdf)
    with open(portal.adhesion_pdf, "rb") as handle:
        document_hash = "0x" + keccak(handle.read()).hex()
    wait(lambda: by_id(d, "adhesion-hash").text == document_hash, message="document hash")
    by_id(d, "register-btn").click()
    message(d, "join-message", "ok")
    wait(lambda: by_id(d, "member-status").get_attribute("data-status") == "pending", message="status pending")
    member = chainrpc.call(portal.rpc, portal.marketplace, "members(address)", ["address"], [portal.member],
                           ["uint8", "uint64", "bytes32"])
    assert member[0] == 1 and "0x" + member[2].hex() == document_hash
    screenshot(d, "join-pending")

    open_view(portal, "admin")
    row = wait(lambda: d.find_element(By.CSS_SELECTOR, 'tr[data-address="%s"]' % portal.member), message="member row")
    assert row.get_attribute("data-status") == "pending"
    by_id(d, "admin-token").send_keys("wrong-token")
    by_id(d, "admin-save").click()
    d.find_element(By.CSS_SELECTOR, 'tr[data-address="%s"] button.act-approve' % portal.member).click()
    assert "errato" in message(d, "admin-message", "error")
    by_id(d, "admin-token").clear()
    by_id(d, "admin-token").send_keys(portal_admin_token())
    by_id(d, "admin-save").click()
    assert d.execute_script("return sessionStorage.getItem('cer-admin-token')") == portal_admin_token()
    assert d.execute_script("return localStorage.getItem('cer-admin-token')") is None
    d.find_element(By.CSS_SELECTOR, 'tr[data-address="%s"] button.act-approve' % portal.member).click()
    text = message(d, "admin-message", "ok")
    assert "Attivo" in text, text
    wait(lambda: d.find_element(By.CSS_SELECTOR, 'tr[data-address="%s"]' % portal.member)
         .get_attribute("data-status") == "active", message="row active")
    screenshot(d, "admin")

    open_view(portal, "join")
    wait(lambda: by_id(d, "member-status").get_attribute("data-status") == "active", message="status active")
    assert by_id(d, "member-status").text == "Attivo"
    screenshot(d, "join")


def portal_admin_token():
    from conftest import ADMIN_TOKEN
    return ADMIN_TOKEN


def secret_forms(saved):
    """The salt and the order words of an orders file as they could appear in a request: hex
    without 0x (the salt, first), each word as a 64-digit ABI word, as hex and as decimal text."""
    forms = [saved["salt"][2:].lower()]
    for word in saved["words"]:
        value = int(word, 16)
        forms += ["%064x" % value, "%x" % value, str(value)]
    return forms


def set_order(driver, slot, side, kwh, price):
    row = driver.find_element(By.CSS_SELECTOR, '#orders tr[data-slot="%d"]' % slot)
    Select(row.find_element(By.CSS_SELECTOR, "select.side")).select_by_value(side)
    row.find_element(By.CSS_SELECTOR, "input.kwh").send_keys(kwh)
    row.find_element(By.CSS_SELECTOR, "input.price").send_keys(price)


def test_commit_and_reveal_from_the_page_cleared_by_the_runner(portal):
    d = portal.driver
    portal.mint(portal.member, 30_000_000)
    first = portal.run_session()
    assert first.returncode == 75, first.stdout + first.stderr

    open_view(portal, "funds")
    wait(lambda: by_id(d, "wallet-balance").get_attribute("data-value") == "30000000", message="wallet balance")
    by_id(d, "deposit-amount").send_keys("20")
    by_id(d, "deposit-btn").click()
    message(d, "funds-message", "ok")
    wait(lambda: by_id(d, "available").get_attribute("data-value") == "20000000", message="available 20")
    assert portal.funds(portal.member) == (20_000_000, 0)

    wallet_mark = len(portal.wallet.requests)
    open_view(portal, "session")
    wait(lambda: by_id(d, "commit-box").is_displayed(), message="commit form")
    slots = api(portal, "/api/v1/sessions/" + portal.session_id)["slots"]
    assert slots == 24 and len(d.find_elements(By.CSS_SELECTOR, "#orders tbody tr")) == slots

    # A session of another marketplace than the server's: nothing to act on, participation not read.
    d.execute_script(OTHER_MARKET_FETCH, portal.token)
    mark = len(portal.wallet.requests)
    refresh(portal)
    block = wait(lambda: by_id(d, "session-block").is_displayed() and by_id(d, "session-block").text, message="blocked")
    assert "un altro mercato" in block, block
    assert not by_id(d, "commit-box").is_displayed() and by_id(d, "my-state").text == "—"
    participation_selector = chainrpc.selector("participationOf(uint256,address)").hex()
    assert not [r for r in portal.wallet.requests[mark:] if participation_selector in r], "participation read"
    d.execute_script("window.fetch = window.__realFetch")
    refresh(portal)
    wait(lambda: by_id(d, "commit-box").is_displayed() and not by_id(d, "session-block").is_displayed(),
         message="commit form again")

    set_order(d, 10, "buy", "1.5", "0.20")
    set_order(d, 11, "sell", "1", "0.05")
    set_order(d, 12, "buy", "1,000", "0,10")  # one kWh or a thousand? refused

    def echo(slot):
        return d.find_element(By.CSS_SELECTOR, '#orders tr[data-slot="%d"] td.parsed' % slot)
    wait(lambda: echo(10).get_attribute("data-wh") == "1500", message="row 10 read")
    assert (echo(10).get_attribute("data-price"), echo(11).get_attribute("data-wh"),
            echo(11).get_attribute("data-price")) == ("200000", "1000", "50000")
    assert "1500 Wh" in echo(10).text and "200000" in echo(10).text, echo(10).text
    assert "ambiguo" in echo(12).text and echo(12).get_attribute("data-wh") is None, echo(12).text
    d.execute_script("arguments[0].scrollIntoView()", echo(10))
    screenshot(d, "session-orders")
    assert by_id(d, "commit-btn").get_attribute("disabled") is not None  # nothing prepared yet
    by_id(d, "prepare-btn").click()
    assert "Fascia 12" in message(d, "session-message", "error")
    assert not glob.glob(os.path.join(portal.downloads, "*"))
    row12 = d.find_element(By.CSS_SELECTOR, '#orders tr[data-slot="12"]')
    Select(row12.find_element(By.CSS_SELECTOR, "select.side")).select_by_value("")
    row12.find_element(By.CSS_SELECTOR, "input.kwh").clear()
    row12.find_element(By.CSS_SELECTOR, "input.price").clear()
    d.execute_script("document.getElementById('orders').dispatchEvent(new Event('input', {bubbles: true}))")
    wait(lambda: "2" in by_id(d, "deposit-note").text and echo(12).text == "", message="deposit note")

    # 1. prepare: the file is downloaded; Commit stays disabled until the saved file is checked.
    by_id(d, "prepare-btn").click()
    message(d, "session-message", "info")
    files = wait(lambda: [f for f in glob.glob(os.path.join(portal.downloads, "cer-orders-*.json"))], message="download")
    with open(files[0]) as handle:
        saved = json.load(handle)
    assert saved["member"] == portal.member and saved["chainId"] == CHAIN_ID
    assert [(o["slot"], o["side"], o["wh"], o["limitPrice"]) for o in saved["orders"]] == [
        (10, "buy", "1500", "200000"), (11, "sell", "1000", "50000")]
    assert by_id(d, "commit-btn").get_attribute("disabled") is not None
    # 2. a file that is not the one prepared (another salt) is refused, Commit stays disabled.
    tampered = os.path.join(OUT, "tampered-orders.json")
    with open(tampered, "w") as handle:
        json.dump(dict(saved, salt="0x" + "11" * 32), handle)
    by_id(d, "verify-file").send_keys(tampered)
    assert "non è quello appena preparato" in message(d, "session-message", "error")
    assert by_id(d, "commit-btn").get_attribute("disabled") is not None
    by_id(d, "verify-file").send_keys(files[0])
    message(d, "session-message", "ok")
    wait(lambda: by_id(d, "commit-btn").is_enabled(), message="commit enabled after the check")
    # 3. commit.
    by_id(d, "commit-btn").click()
    wait(lambda: "Impegno inviato" in by_id(d, "session-message").text, message="commit done")
    wait(lambda: by_id(d, "my-state").get_attribute("data-state") == "committed", message="committed")
    assert portal.funds(portal.member) == (19_000_000, 1_000_000)  # the deposit is locked
    screenshot(d, "session-commit")

    # Sealed means sealed: before the commit deadline no request the page sent — through the
    # wallet (every JSON-RPC call, recorded by the proxy) or anywhere else (the browser's own
    # network log: the server, the proxy) — carries the salt or any of the member's order words.
    # The same check finds them in the reveal's request below (so it can fail).
    secrets = secret_forms(saved)
    network_requests(portal)
    sent_by_wallet = [r.lower() for r in portal.wallet.requests]  # everything since the page first loaded
    sent_by_browser = list(portal.network)
    assert len(portal.wallet.requests) > wallet_mark and sent_by_browser
    for text in sent_by_wallet + sent_by_browser:
        leaked = [x for x in secrets if x in text]
        assert not leaked, "sealed orders or salt left the browser before the deadline: %s in %s" % (leaked, text[:300])
    # The page checked its commitment against the contract on the fixed vector only.
    assert any("5a" * 32 in r for r in sent_by_wallet), "no self-check of the commitment on the fixed vector"

    session = api(portal, "/api/v1/sessions/" + portal.session_id)
    portal.rpc.advance_to(session["commitDeadline"] + 1)
    second = portal.run_session()
    assert second.returncode == 75, second.stdout + second.stderr
    refresh(portal)
    wait(lambda: by_id(d, "reveal-box").is_displayed(), message="reveal form")
    by_id(d, "reveal-file").send_keys(files[0])
    wait(lambda: by_id(d, "reveal-btn").is_enabled(), message="reveal enabled")
    reveal_mark = len(portal.wallet.requests)
    by_id(d, "reveal-btn").click()
    message(d, "session-message", "ok")
    wait(lambda: by_id(d, "my-state").get_attribute("data-state") == "revealed", message="revealed")
    screenshot(d, "session-reveal")
    # Now (after the commit deadline) the reveal carries them: the checks above could see them.
    revealed = [r.lower() for r in portal.wallet.requests[reveal_mark:] if "eth_sendtransaction" in r.lower()]
    padded = [x for x in secrets if len(x) == 64]
    assert revealed and secrets[0] in revealed[0] and all(w in revealed[0] for w in padded[1:]), revealed
    assert any(secrets[0] in text for text in network_requests(portal)), "the browser log misses the reveal"

    portal.rpc.advance_to(session["revealDeadline"] + 1)
    third = portal.run_session()
    assert third.returncode == 75, third.stdout + third.stderr  # cleared; waits for the delivery day
    results = api(portal, "/api/v1/sessions/%s/results?member=%s" % (portal.session_id, portal.member))
    mine = sorted((f["slot"], f["side"], int(f["quantityWh"])) for f in results["fills"])  # Wh: string or number
    assert mine == [(10, "buy", 1500), (11, "sell", 1000)], results

    open_view(portal, "session")
    wait(lambda: by_id(d, "my-state").get_attribute("data-state") == "cleared", message="cleared")
    open_view(portal, "results")
    rows = wait(lambda: d.find_elements(By.CSS_SELECTOR, "#fills tr.fill-row"), message="fill rows")
    assert len(rows) == 2
    assert len(d.find_elements(By.CSS_SELECTOR, "#results-chart circle.price-dot")) >= 2
    assert len(d.find_elements(By.CSS_SELECTOR, "#results-chart rect.fill-bar")) == 2
    screenshot(d, "results-cleared")


def test_execute_after_validation(portal):
    d = portal.driver
    session = api(portal, "/api/v1/sessions/" + portal.session_id)
    last = session["slotStarts"][-1]["time"]
    portal.rpc.advance_to(last + session["slotMinutes"] * 60 + 1)
    fourth = portal.run_session()
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr  # validated; carla executed itself
    results = api(portal, "/api/v1/sessions/%s/results?member=%s" % (portal.session_id, portal.member))
    (me,) = results["members"]
    # Slot 10: 1.5 kWh bought at 0.14 → pays ceil(1500·140000/1000) = 210000; all delivered, no
    # penalty. (What it receives is paid by its own execute, below; the run folder's report shows
    # "received" 0 until then.)
    assert (int(me["boughtWh"]), int(me["soldWh"]), me["paid"], me["penalty"]) == (1500, 1000, "210000", "0"), me
    available_before, _ = portal.funds(portal.member)
    (word,) = chainrpc.call(portal.rpc, portal.marketplace, "participationOf(uint256,address)",
                            ["uint256", "address"], [int(session["chainSessionId"]), portal.member], ["uint256"])
    assert word >> 255 == 1 and word & 1 == 0  # validated, not settled
    owed = (word & ~(1 << 255)) >> 2
    open_view(portal, "session")
    wait(lambda: by_id(d, "execute-box").is_displayed(), message="execute button")
    assert by_id(d, "my-state").get_attribute("data-state") == "validated"
    by_id(d, "execute-btn").click()
    message(d, "session-message", "ok")
    wait(lambda: by_id(d, "my-state").get_attribute("data-state") == "settled", message="settled")
    assert portal.funds(portal.member) == (available_before + owed, 0)
    # What it collects: the 1 kWh sold at 0.10 (the validation already released its collateral
    # less what it pays).
    assert owed == 100_000
    open_view(portal, "results")
    wait(lambda: by_id(d, "r-paid").text.startswith("0.21"), message="paid shown")
    assert by_id(d, "r-chain").text.startswith("incassati 0.10"), by_id(d, "r-chain").text
    deliveries = d.find_elements(By.CSS_SELECTOR, "#deliveries tr.delivery-row")
    assert len(deliveries) == 2
    # The penalty is the member's, once in the totals; delivery rows have no penalty column.
    assert all(len(row.find_elements(By.TAG_NAME, "td")) == 4 for row in deliveries)
    assert sorted(row.find_elements(By.TAG_NAME, "td")[2].text for row in deliveries) == ["1", "1.5"]
    assert by_id(d, "r-penalty").text.startswith("0.00"), by_id(d, "r-penalty").text
    screenshot(d, "results")

    # The session report's own charts for the member's slots: a choice of its traded slots (10
    # and 11), the report page of the first one framed (same origin, under the server's CSP).
    wait(lambda: by_id(d, "report-box").is_displayed(), message="report charts shown")
    options = [o.get_attribute("value") for o in by_id(d, "report-slot").find_elements(By.TAG_NAME, "option")]
    assert options == ["10", "11"], options
    frame = by_id(d, "report-frame")
    assert frame.get_attribute("src").endswith("/report.html?slot=10"), frame.get_attribute("src")
    assert by_id(d, "report-open").get_attribute("href") == frame.get_attribute("src")
    d.switch_to.frame(frame)
    try:
        wait(lambda: len(d.find_elements(By.CSS_SELECTOR, "svg")) >= 2, message="report charts in the frame")
        assert "10" in d.find_element(By.TAG_NAME, "body").text
    finally:
        d.switch_to.default_content()
    Select(by_id(d, "report-slot")).select_by_value("11")
    wait(lambda: by_id(d, "report-frame").get_attribute("src").endswith("?slot=11"), message="slot 11 report")
    d.execute_script("document.getElementById('report-frame').scrollIntoView()")
    screenshot(d, "results-report")


def test_withdraw_from_the_page(portal):
    d = open_view(portal, "funds")
    available, _ = portal.funds(portal.member)
    before = portal.balance(portal.member)
    wait(lambda: by_id(d, "available").get_attribute("data-value") == str(available), message="available")
    portal.wallet.reject_next = True
    by_id(d, "withdraw-amount").send_keys("1.5")
    by_id(d, "withdraw-btn").click()
    assert "rifiutato" in message(d, "funds-message", "error")
    by_id(d, "withdraw-btn").click()
    message(d, "funds-message", "ok")
    assert portal.balance(portal.member) == before + 1_500_000
    assert portal.funds(portal.member)[0] == available - 1_500_000
    wait(lambda: by_id(d, "available").get_attribute("data-value") == str(available - 1_500_000), message="available")
    by_id(d, "withdraw-amount").clear()
    by_id(d, "withdraw-amount").send_keys(str(available))  # more than what is left
    by_id(d, "withdraw-btn").click()
    assert "Disponibili solo" in message(d, "funds-message", "error")
    screenshot(d, "funds")


def test_reverts_are_explained_with_the_decoded_custom_error(portal):
    d = open_view(portal, "session")
    text = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const [member, market] = arguments;
        Promise.all([import('/js/wallet.js'), import('/js/abi.js'), import('/js/dom.js')]).then(async ([w, a, dom]) => {
          try { await w.send(member, market, a.encodeCall('execute(uint256)', [999n])); done('sent'); }
          catch (e) { done(dom.errorText(e)); }
        });""", portal.member, portal.marketplace)
    # Refused at the wallet's eth_call (through the test wallet and the node), nothing sent.
    assert "UnknownSession(999)" in text and "sessione sconosciuta" in text, text


def test_admin_suspends_and_reinstates(portal):
    d = open_view(portal, "admin")
    row = 'tr[data-address="%s"]' % portal.carla
    for action, after, status in (("suspend", "Sospeso", 4), ("reinstate", "Attivo", 2)):
        wait(lambda: d.find_element(By.CSS_SELECTOR, row + " button.act-" + action), message=action + " button")
        d.find_element(By.CSS_SELECTOR, row + " button.act-" + action).click()
        text = message(d, "admin-message", "ok")
        assert after in text and "0x" in text, text
        (on_chain, _, _) = chainrpc.call(portal.rpc, portal.marketplace, "members(address)", ["address"],
                                         [portal.carla], ["uint8", "uint64", "bytes32"])
        assert on_chain == status
    Select(by_id(d, "admin-filter")).select_by_value("pending")
    wait(lambda: not d.find_elements(By.CSS_SELECTOR, "tr.member-row") and by_id(d, "admin-empty").is_displayed(),
         message="no pending members")
    Select(by_id(d, "admin-filter")).select_by_value("")
    wait(lambda: len(d.find_elements(By.CSS_SELECTOR, "tr.member-row")) == 2, message="all members")


def test_language_switch_wallet_events_and_phone_layout(portal):
    d = open_view(portal, "session")
    d.find_element(By.CSS_SELECTOR, '[data-lang="en"]').click()
    wait(lambda: by_id(d, "nav-join").text == "Membership", message="English")
    assert d.execute_script("return document.documentElement.lang") == "en"
    screenshot(d, "session-en")
    d.find_element(By.CSS_SELECTOR, '[data-lang="it"]').click()
    wait(lambda: by_id(d, "nav-join").text == "Adesione", message="Italian")

    portal.wallet.chain_id_override = "0x1"
    d.execute_script("window.ethereum.emit('chainChanged', '0x1')")
    warning = wait(lambda: by_id(d, "chain-warning").is_displayed() and by_id(d, "chain-warning").text,
                   message="wrong chain warning")
    assert "1337" in warning and "Rete sbagliata" in warning
    # The session cannot be acted on from another chain: said in the session view too.
    block = wait(lambda: by_id(d, "session-block").is_displayed() and by_id(d, "session-block").text,
                 message="session blocked on the wrong chain")
    assert "sulla rete 1," in block and "1337" in block, block
    screenshot(d, "wrong-chain")
    portal.wallet.chain_id_override = None
    d.execute_script("window.ethereum.emit('chainChanged', '0x539')")
    wait(lambda: not by_id(d, "chain-warning").is_displayed(), message="warning gone")

    d.execute_script("window.ethereum.emit('accountsChanged', [])")  # the member disconnects
    wait(lambda: by_id(d, "connect-btn").is_displayed() and not by_id(d, "account").is_displayed(),
         message="disconnected")
    d.execute_script("window.ethereum.emit('accountsChanged', [arguments[0].toLowerCase()])", portal.member)
    wait(lambda: by_id(d, "account").is_displayed() and by_id(d, "account").get_attribute("title") == portal.member,
         message="connected again")

    d.set_window_size(390, 844)
    try:
        for view in ("join", "session", "funds", "results", "admin"):
            open_view(portal, view)
            small = d.execute_script("""
                const out = [];
                for (const e of document.querySelectorAll('button, a, input, select')) {
                  const r = e.getBoundingClientRect();
                  if (r.width === 0 || r.height === 0 || e.closest('[hidden]') || e.classList.contains('skip')) continue;
                  if (r.height < 44 || r.width < 44) out.push((e.id || e.className || e.tagName) + ' ' + r.width + 'x' + r.height);
                }
                return out;""")
            assert small == [], "%s: touch targets below 44px: %s" % (view, small)
            overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, "%s: the page scrolls sideways by %dpx on a phone" % (view, overflow)
            screenshot(d, "phone-" + view)
    finally:
        d.set_window_size(1280, 1400)
    reload_view(portal, "join")
