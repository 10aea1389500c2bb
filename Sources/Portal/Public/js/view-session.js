// The current session: deadlines with countdowns in chain time, the member's participation,
// the order form, commit (prepare the salt file, verify the saved copy, send), reveal (from the
// file) and execute. Nothing of the orders or the salt leaves the browser before the reveal:
// the commit sends only the commitment hash.
import { toHex } from "./keccak.js";
import { $, el, say, busy, money, dateTime, countdown, chainNow, errorText } from "./dom.js";
import { t } from "./i18n.js";
import { state, chainParams } from "./state.js";
import { api } from "./api.js";
import * as chain from "./chain.js";
import { PortalError } from "./wallet.js";
import { packOrder, unpackOrder, computeCommitment, collateral, decodeParticipation, maskedCommitment, sessionBlock, SELF_CHECK } from "./market.js";
import { kwhToWh, parseDecimal, formatUnits } from "./units.js";

/** Two addresses (or hex strings) equal in any letter case. */
const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

const FILE_FORMAT = "cer-portal-orders/1";
let participation = { state: "none" };
let revealFile = null;
let pending = null; // the prepared commitment: {file, words, commitment, verified}
let onSessionChange = () => {};

export function init(changed) {
  onSessionChange = changed;
  $("session-pick").addEventListener("change", async (e) => {
    state.sessionId = e.target.value;
    await loadSession();
    onSessionChange();
  });
  $("prepare-btn").addEventListener("click", () => busy("prepare-btn", "session-message", prepare));
  $("verify-file").addEventListener("change", (e) => busy(null, "session-message", () => verify(e.target)));
  $("commit-btn").addEventListener("click", () => busy("commit-btn", "session-message", commit));
  $("reveal-file").addEventListener("change", async (e) => {
    revealFile = null;
    const file = e.target.files[0];
    if (!file) return;
    try {
      revealFile = JSON.parse(await file.text());
      if (revealFile.format !== FILE_FORMAT) throw new Error("format");
      say("session-message", "info", t("reveal.loaded", { n: revealFile.orders.length }));
    } catch {
      revealFile = null;
      say("session-message", "error", t("err.badFile"));
    }
    render();
  });
  $("reveal-btn").addEventListener("click", () => busy("reveal-btn", "session-message", reveal));
  $("execute-btn").addEventListener("click", () => busy("execute-btn", "session-message", execute));
  $("orders").addEventListener("input", () => {
    if (pending) { dropPending(); say("session-message", "warn", t("commit.changed")); render(); }
    renderNeeds();
  });
  setInterval(tick, 1000);
}

/** Loads the session list and selects the newest (or keeps the chosen one). */
export async function loadSessions() {
  const list = await api.sessions(20);
  state.sessions = list.items || [];
  const pick = $("session-pick");
  pick.replaceChildren(...state.sessions.map((s) => el("option", { value: s.id, text: `${s.deliveryDay} — ${s.id}` })));
  if (!state.sessions.some((s) => s.id === state.sessionId)) state.sessionId = state.sessions[0]?.id ?? null;
  if (state.sessionId) pick.value = state.sessionId;
  $("no-session").hidden = state.sessions.length > 0;
  $("session-body").hidden = state.sessions.length === 0;
  await loadSession();
}

export async function loadSession() {
  if (!state.sessionId) { state.session = null; return; }
  const s = await api.session(state.sessionId);
  const previous = state.session?.id;
  state.session = s;
  if (s.tokenDecimals !== undefined && s.tokenDecimals !== null) state.decimals = s.tokenDecimals;
  if (previous !== s.id || $("orders").rows.length !== s.slots + 1) { dropPending(); buildForm(s); }
  await refresh();
}

function buildForm(s) {
  const table = $("orders");
  const head = el("tr", {}, [
    el("th", { scope: "col", "data-i18n": "orders.slot", text: t("orders.slot") }),
    el("th", { scope: "col", "data-i18n": "orders.side", text: t("orders.side") }),
    el("th", { scope: "col", "data-i18n": "orders.kwh", text: t("orders.kwh") }),
    el("th", { scope: "col", "data-i18n": "orders.price", text: t("orders.price") }),
    el("th", { scope: "col", "data-i18n": "orders.parsed", text: t("orders.parsed") }),
  ]);
  const rows = (s.slotStarts || Array.from({ length: s.slots }, (_, i) => ({ slot: i, start: String(i) }))).map((slot) =>
    el("tr", { "data-slot": String(slot.slot) }, [
      el("th", { scope: "row", text: `${slot.slot} · ${slot.start}` }),
      el("td", {}, [el("select", { class: "side", "aria-label": t("orders.side") + " " + slot.start }, [
        el("option", { value: "", text: "—" }), el("option", { value: "buy", "data-i18n": "orders.buy", text: t("orders.buy") }),
        el("option", { value: "sell", "data-i18n": "orders.sell", text: t("orders.sell") })])]),
      el("td", {}, [el("input", { class: "kwh", inputmode: "decimal", autocomplete: "off", placeholder: "0.000", "aria-label": t("orders.kwh") + " " + slot.start })]),
      el("td", {}, [el("input", { class: "price", inputmode: "decimal", autocomplete: "off", placeholder: "0.00", "aria-label": t("orders.price") + " " + slot.start })]),
      el("td", { class: "parsed", "aria-live": "polite" }),
    ]));
  table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
}

/** One form row → null (empty), an order {slot, side, wh, limitPrice}, or a thrown PortalError. */
function parseRow(row) {
  const side = row.querySelector(".side").value;
  const kwh = row.querySelector(".kwh"), price = row.querySelector(".price");
  kwh.removeAttribute("aria-invalid"); price.removeAttribute("aria-invalid");
  if (!side && !kwh.value.trim() && !price.value.trim()) return null;
  const slot = Number(row.dataset.slot);
  if (!side) throw new PortalError("err.orderSide", { slot });
  if (state.decimals === null) throw new PortalError("err.noDecimals");
  let wh, limitPrice;
  try { wh = kwhToWh(kwh.value); if (wh <= 0n || wh >= 1n << 64n) throw new RangeError(); } catch (error) {
    kwh.setAttribute("aria-invalid", "true");
    throw new PortalError(error.ambiguous ? "err.orderKwhAmbiguous" : "err.orderKwh", { slot, text: kwh.value.trim() });
  }
  try { limitPrice = parseDecimal(price.value, state.decimals); if (limitPrice >= 1n << 64n) throw new RangeError(); } catch (error) {
    price.setAttribute("aria-invalid", "true");
    throw new PortalError(error.ambiguous ? "err.orderPriceAmbiguous" : "err.orderPrice", { slot, decimals: state.decimals, text: price.value.trim() });
  }
  return { slot, side, wh, limitPrice };
}

/** The form's orders, exact: Wh from kWh (≤3 decimals), price in base units. Throws on a bad row. */
export function readOrders() {
  const orders = [];
  for (const row of $("orders").querySelectorAll("tbody tr")) {
    const order = parseRow(row);
    if (order) orders.push(order);
  }
  return orders;
}

/** Next to each row: what the page read (Wh and base units), or why the row is refused. */
function echoRows() {
  for (const row of $("orders").querySelectorAll("tbody tr")) {
    const cell = row.querySelector("td.parsed");
    cell.removeAttribute("data-wh"); cell.removeAttribute("data-price"); cell.classList.remove("bad");
    try {
      const o = parseRow(row);
      if (!o) { cell.textContent = ""; continue; }
      cell.dataset.wh = String(o.wh);
      cell.dataset.price = String(o.limitPrice);
      cell.textContent = t("orders.echo", { wh: String(o.wh), kwh: formatUnits(o.wh, 3, 0), price: String(o.limitPrice), perKWh: formatUnits(o.limitPrice, state.decimals, 2) });
    } catch (error) {
      cell.classList.add("bad");
      cell.textContent = errorText(error);
    }
  }
}
function phase() {
  const s = state.session;
  if (!s || !s.chainSessionId) return "none";
  if (s.state !== "open") return s.state;
  const now = chainNow();
  if (now < s.commitDeadline) return "commit";
  if (now < s.revealDeadline) return "reveal";
  return "closed";
}

/** Why the selected session cannot be acted on from here (an i18n key), or null. */
export function blocked() {
  return sessionBlock(state.info, state.session, state.chainId);
}

export async function refresh() {
  const s = state.session;
  participation = { state: "none" };
  if (s && s.chainSessionId && state.account && !blocked()) {
    participation = decodeParticipation(await chain.participation(state.marketplace, s.chainSessionId, state.account), s.state);
  }
  render();
}

/**
 * Checks once per chain and marketplace that the page's commitment equals the contract's
 * computeCommitment, on a FIXED vector (dummy orders, dummy salt, dummy member): a member's
 * orders and salt are never sent anywhere before the reveal. Throws when they differ.
 */
export async function selfCheck() {
  const key = `${state.chainId}/${String(state.marketplace).toLowerCase()}`;
  if (state.selfCheck === key) return;
  const v = SELF_CHECK;
  const mine = computeCommitment(state.chainId, state.marketplace, v.sessionId, v.member, v.words, v.salt);
  const onChain = await chain.commitmentOnChain(state.marketplace, v.sessionId, v.member, v.words, v.salt);
  if (onChain.toLowerCase() !== mine) throw new PortalError("err.commitmentMismatch", { detail: `${mine} ≠ ${onChain}` });
  state.selfCheck = key;
}

function tick() {
  const s = state.session;
  if (!s) return;
  const now = chainNow();
  $("chain-time").textContent = dateTime(now, s.timeZone);
  $("commit-countdown").textContent = countdown(s.commitDeadline - now);
  $("reveal-countdown").textContent = countdown(s.revealDeadline - now);
  const p = phase();
  if ($("session-phase").dataset.phase !== p) render();
}

function render() {
  const s = state.session;
  if (!s) return;
  $("s-community").textContent = s.community;
  $("s-day").textContent = `${s.deliveryDay} (${s.timeZone}, ${s.slots} × ${s.slotMinutes} min)`;
  $("s-state").textContent = t("state." + s.state, {}, s.state);
  $("s-counts").textContent = `${s.commits ?? "—"} / ${s.reveals ?? "—"}`;
  $("s-deposit").textContent = money(s.deposit);
  $("s-bond").textContent = `${money(s.sellerBondPerKWh)}/kWh`;
  $("commit-deadline").textContent = dateTime(s.commitDeadline, s.timeZone);
  $("reveal-deadline").textContent = dateTime(s.revealDeadline, s.timeZone);
  const p = phase();
  $("session-phase").dataset.phase = p;
  $("session-phase").textContent = t("phase." + p, {}, p);
  const block = blocked();
  const mine = $("my-state");
  mine.dataset.state = block ? "unknown" : participation.state;
  mine.textContent = block ? "—" : t("part." + participation.state) + (participation.amount !== undefined ? ` (${money(participation.amount)})` : "");
  say("session-block", block ? "warn" : "", block ? t(block, chainParams()) : "");
  const active = !block && state.memberStatus === "active";
  $("commit-box").hidden = !!block || !(p === "commit" && participation.state === "none");
  $("reveal-box").hidden = !!block || !(p === "reveal" && participation.state === "committed");
  $("execute-box").hidden = !!block || !(s.state === "validated" && participation.state === "validated");
  $("prepare-btn").disabled = !active;
  $("verify-file").disabled = !active || !pending;
  $("commit-btn").disabled = !active || !pending || !pending.verified;
  $("verify-state").textContent = !pending ? t("commit.step1") : pending.verified ? t("commit.verified") : t("commit.step2");
  $("verify-state").dataset.kind = pending?.verified ? "ok" : "";
  $("reveal-btn").disabled = !active || !revealFile;
  $("execute-btn").disabled = !!block;
  $("not-active").hidden = !!block || active || !state.account;
  renderNeeds();
}

function renderNeeds() {
  const s = state.session;
  if (!s) return;
  let text;
  try {
    const orders = readOrders();
    const need = orders.reduce((a, o) => a + collateral(o, s.sellerBondPerKWh), 0n);
    text = t("commit.needs", { deposit: money(s.deposit), collateral: money(need), bond: money(s.sellerBondPerKWh), n: orders.length });
  } catch (error) {
    text = t("commit.explain", { deposit: money(s.deposit), bond: money(s.sellerBondPerKWh) });
  }
  $("deposit-note").textContent = text;
  echoRows();
}

function dropPending() {
  pending = null;
  $("verify-file").value = "";
}

function ready() {
  if (!state.account) throw new PortalError("err.connectFirst");
  const block = blocked();
  if (block) throw new PortalError(block, chainParams());
}

/** Step 1: draws the salt, computes the commitment, offers the orders file. Nothing is sent. */
async function prepare() {
  const s = state.session;
  ready();
  dropPending();
  const orders = readOrders();
  if (orders.length === 0) throw new PortalError("err.noOrders");
  const funds = await chain.funds(state.marketplace, state.account);
  if (funds.available < BigInt(s.deposit)) {
    throw new PortalError("err.depositNeeded", { deposit: money(s.deposit), available: money(funds.available) });
  }
  await selfCheck();
  const words = orders.map(packOrder);
  const salt = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const chainId = state.chainId;
  const commitment = computeCommitment(chainId, state.marketplace, s.chainSessionId, state.account, words, salt);
  const file = {
    format: FILE_FORMAT,
    note: "Keep this file: it is the only way to reveal these orders. Never share it before the commit deadline.",
    chainId: Number(chainId), marketplace: state.marketplace, sessionId: String(s.chainSessionId), session: s.id,
    deliveryDay: s.deliveryDay, member: state.account, tokenDecimals: state.decimals,
    orders: orders.map((o) => ({ slot: o.slot, side: o.side, wh: String(o.wh), kwh: formatUnits(o.wh, 3, 0), limitPrice: String(o.limitPrice) })),
    words: words.map((w) => "0x" + w.toString(16)), salt, commitment,
  };
  pending = { file, orders, words, commitment, verified: false };
  offerDownload(file, `cer-orders-${s.id}-${state.account.slice(2, 10).toLowerCase()}.json`);
  say("session-message", "info", t("commit.prepared"));
  render();
}

/** Step 2: the member picks the file it saved; it must hold exactly the prepared orders and salt. */
async function verify(input) {
  const file = input.files && input.files[0];
  if (!pending || !file) return;
  pending.verified = false;
  let f;
  try { f = JSON.parse(await file.text()); } catch { f = null; }
  const p = pending.file;
  const ok = f && f.format === FILE_FORMAT && same(f.member, p.member) && same(f.marketplace, p.marketplace) &&
    String(f.chainId) === String(p.chainId) && String(f.sessionId) === String(p.sessionId) && same(f.salt, p.salt) &&
    same(f.commitment, p.commitment) && Array.isArray(f.words) && f.words.length === p.words.length &&
    f.words.every((w, i) => { try { return BigInt(w) === pending.words[i]; } catch { return false; } }) &&
    computeCommitment(BigInt(f.chainId), f.marketplace, BigInt(f.sessionId), f.member, f.words.map(BigInt), f.salt) === pending.commitment;
  if (!ok) {
    input.value = "";
    render();
    throw new PortalError("err.verifyMismatch");
  }
  pending.verified = true;
  say("session-message", "ok", t("commit.verified"));
  render();
}

/** Step 3: sends submitCommitments with the verified commitment (only the hash leaves the page). */
async function commit() {
  const s = state.session;
  ready();
  if (!pending || !pending.verified) throw new PortalError("err.notVerified");
  // Prepared for another account, chain, marketplace or session (the wallet switched since)?
  const p = pending.file, same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  if (!same(p.member, state.account) || String(p.chainId) !== String(state.chainId) || !same(p.marketplace, state.marketplace) ||
      p.sessionId !== String(s.chainSessionId)) {
    dropPending();
    render();
    throw new PortalError("err.notVerified");
  }
  const { orders, commitment } = pending;
  const funds = await chain.funds(state.marketplace, state.account);
  if (funds.available < BigInt(s.deposit)) {
    throw new PortalError("err.depositNeeded", { deposit: money(s.deposit), available: money(funds.available) });
  }
  await chain.tx.commit(state.account, state.marketplace, s.chainSessionId, commitment, (hash) => say("session-message", "info", t("tx.sent", { hash })));
  dropPending();
  // At reveal the deposit comes back and the collateral is locked: say now if funds will be short.
  const need = orders.reduce((a, o) => a + collateral(o, s.sellerBondPerKWh), 0n);
  const atReveal = funds.available; // available now = (available after commit) + deposit back at reveal
  const short = need > atReveal ? need - atReveal : 0n;
  say("session-message", short > 0n ? "warn" : "ok",
    t("commit.done") + (short > 0n ? " " + t("commit.topUp", { amount: money(short) }) : ""));
  await refresh();
}

function offerDownload(object, name) {
  const blob = new Blob([JSON.stringify(object, null, 2) + "\n"], { type: "application/json" });
  const link = $("salt-download");
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.textContent = t("commit.download", { name });
  $("salt-box").hidden = false;
  link.click();
}

async function reveal() {
  const s = state.session;
  ready();
  const f = revealFile;
  if (!f) throw new PortalError("err.badFile");
  if (!same(f.member, state.account)) throw new PortalError("err.fileMember", { member: f.member });
  if (!same(f.marketplace, state.marketplace) || BigInt(f.chainId) !== state.chainId || String(f.sessionId) !== String(s.chainSessionId)) {
    throw new PortalError("err.fileSession", { session: f.sessionId });
  }
  const words = f.words.map((w) => BigInt(w));
  if (words.some((w) => unpackOrder(w) === null)) throw new PortalError("err.badFile");
  const commitment = computeCommitment(state.chainId, state.marketplace, s.chainSessionId, state.account, words, f.salt);
  if (participation.hash !== undefined && maskedCommitment(commitment) !== participation.hash) throw new PortalError("err.fileMismatch");
  await chain.tx.reveal(state.account, state.marketplace, s.chainSessionId, words, f.salt, (hash) => say("session-message", "info", t("tx.sent", { hash })));
  say("session-message", "ok", t("reveal.done"));
  await refresh();
}

async function execute() {
  const s = state.session;
  ready();
  await chain.tx.execute(state.account, state.marketplace, s.chainSessionId, (hash) => say("session-message", "info", t("tx.sent", { hash })));
  say("session-message", "ok", t("execute.done"));
  await refresh();
}
