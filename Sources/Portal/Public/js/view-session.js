// The current session: deadlines with countdowns in chain time, the member's participation,
// the order form, commit (salt file), reveal (from the file) and execute.
import { toHex } from "./keccak.js";
import { $, el, say, busy, money, dateTime, countdown, chainNow } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { api } from "./api.js";
import * as chain from "./chain.js";
import { PortalError } from "./wallet.js";
import { packOrder, unpackOrder, computeCommitment, collateral, decodeParticipation, maskedCommitment } from "./market.js";
import { kwhToWh, parseDecimal, formatUnits } from "./units.js";

const FILE_FORMAT = "cer-portal-orders/1";
let participation = { state: "none" };
let revealFile = null;
let onSessionChange = () => {};

export function init(changed) {
  onSessionChange = changed;
  $("session-pick").addEventListener("change", async (e) => {
    state.sessionId = e.target.value;
    await loadSession();
    onSessionChange();
  });
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
  $("orders").addEventListener("input", () => renderNeeds());
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
  if (!state.marketplace && s.marketplace) state.marketplace = s.marketplace;
  if (previous !== s.id || $("orders").rows.length !== s.slots + 1) buildForm(s);
  await refresh();
}

function buildForm(s) {
  const table = $("orders");
  const head = el("tr", {}, [
    el("th", { scope: "col", "data-i18n": "orders.slot", text: t("orders.slot") }),
    el("th", { scope: "col", "data-i18n": "orders.side", text: t("orders.side") }),
    el("th", { scope: "col", "data-i18n": "orders.kwh", text: t("orders.kwh") }),
    el("th", { scope: "col", "data-i18n": "orders.price", text: t("orders.price") }),
  ]);
  const rows = (s.slotStarts || Array.from({ length: s.slots }, (_, i) => ({ slot: i, start: String(i) }))).map((slot) =>
    el("tr", { "data-slot": String(slot.slot) }, [
      el("th", { scope: "row", text: `${slot.slot} · ${slot.start}` }),
      el("td", {}, [el("select", { class: "side", "aria-label": t("orders.side") + " " + slot.start }, [
        el("option", { value: "", text: "—" }), el("option", { value: "buy", "data-i18n": "orders.buy", text: t("orders.buy") }),
        el("option", { value: "sell", "data-i18n": "orders.sell", text: t("orders.sell") })])]),
      el("td", {}, [el("input", { class: "kwh", inputmode: "decimal", autocomplete: "off", placeholder: "0.000", "aria-label": t("orders.kwh") + " " + slot.start })]),
      el("td", {}, [el("input", { class: "price", inputmode: "decimal", autocomplete: "off", placeholder: "0.00", "aria-label": t("orders.price") + " " + slot.start })]),
    ]));
  table.replaceChildren(el("thead", {}, [head]), el("tbody", {}, rows));
}

/** The form's orders, exact: Wh from kWh (≤3 decimals), price in base units. Throws on a bad row. */
export function readOrders() {
  const orders = [];
  for (const row of $("orders").querySelectorAll("tbody tr")) {
    const side = row.querySelector(".side").value;
    const kwh = row.querySelector(".kwh"), price = row.querySelector(".price");
    kwh.removeAttribute("aria-invalid"); price.removeAttribute("aria-invalid");
    if (!side && !kwh.value.trim() && !price.value.trim()) continue;
    const slot = Number(row.dataset.slot);
    if (!side) throw new PortalError("err.orderSide", { slot });
    let wh, limitPrice;
    try { wh = kwhToWh(kwh.value); if (wh <= 0n) throw new RangeError(); } catch {
      kwh.setAttribute("aria-invalid", "true");
      throw new PortalError("err.orderKwh", { slot });
    }
    try { limitPrice = parseDecimal(price.value, state.decimals); if (limitPrice >= 1n << 64n) throw new RangeError(); } catch {
      price.setAttribute("aria-invalid", "true");
      throw new PortalError("err.orderPrice", { slot, decimals: state.decimals });
    }
    if (wh >= 1n << 64n) throw new PortalError("err.orderKwh", { slot });
    orders.push({ slot, side, wh, limitPrice });
  }
  return orders;
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

export async function refresh() {
  const s = state.session;
  participation = { state: "none" };
  if (s && s.chainSessionId && state.account && state.marketplace && state.chainOk) {
    participation = decodeParticipation(await chain.participation(state.marketplace, s.chainSessionId, state.account));
  }
  render();
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
  const mine = $("my-state");
  mine.dataset.state = participation.state;
  mine.textContent = t("part." + participation.state) + (participation.amount !== undefined ? ` (${money(participation.amount)})` : "");
  const active = state.memberStatus === "active" && state.chainOk;
  $("commit-box").hidden = !(p === "commit" && participation.state === "none");
  $("reveal-box").hidden = !(p === "reveal" && participation.state === "committed");
  $("execute-box").hidden = !(s.state === "validated" && participation.state === "validated");
  $("commit-btn").disabled = !active;
  $("reveal-btn").disabled = !active || !revealFile;
  $("not-active").hidden = active || !state.account;
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
}

async function commit() {
  const s = state.session;
  if (!state.account) throw new PortalError("err.connectFirst");
  const orders = readOrders();
  if (orders.length === 0) throw new PortalError("err.noOrders");
  const funds = await chain.funds(state.marketplace, state.account);
  if (funds.available < BigInt(s.deposit)) {
    throw new PortalError("err.depositNeeded", { deposit: money(s.deposit), available: money(funds.available) });
  }
  const words = orders.map(packOrder);
  const saltBytes = crypto.getRandomValues(new Uint8Array(32));
  const salt = toHex(saltBytes);
  const chainId = state.chainId;
  const commitment = computeCommitment(chainId, state.marketplace, s.chainSessionId, state.account, words, salt);
  const onChain = await chain.commitmentOnChain(state.marketplace, s.chainSessionId, state.account, words, salt);
  if (onChain.toLowerCase() !== commitment) throw new PortalError("err.commitmentMismatch", { detail: `${commitment} ≠ ${onChain}` });
  const file = {
    format: FILE_FORMAT,
    note: "Keep this file: it is the only way to reveal these orders. Never share it before the commit deadline.",
    chainId: Number(chainId), marketplace: state.marketplace, sessionId: String(s.chainSessionId), session: s.id,
    deliveryDay: s.deliveryDay, member: state.account, tokenDecimals: state.decimals,
    orders: orders.map((o) => ({ slot: o.slot, side: o.side, wh: String(o.wh), kwh: formatUnits(o.wh, 3, 0), limitPrice: String(o.limitPrice) })),
    words: words.map((w) => "0x" + w.toString(16)), salt, commitment,
  };
  offerDownload(file, `cer-orders-${s.id}-${state.account.slice(2, 10).toLowerCase()}.json`);
  await chain.tx.commit(state.account, state.marketplace, s.chainSessionId, commitment, (hash) => say("session-message", "info", t("tx.sent", { hash })));
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
  const f = revealFile;
  if (!f) throw new PortalError("err.badFile");
  const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
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
  await chain.tx.execute(state.account, state.marketplace, s.chainSessionId, (hash) => say("session-message", "info", t("tx.sent", { hash })));
  say("session-message", "ok", t("execute.done"));
  await refresh();
}
