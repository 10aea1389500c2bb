// Funds: wallet balance, available/locked in the marketplace, deposit (approve + deposit), withdraw.
import { $, say, busy, money } from "./dom.js";
import { t } from "./i18n.js";
import { state, chainParams } from "./state.js";
import * as chain from "./chain.js";
import { PortalError } from "./wallet.js";
import { parseDecimal } from "./units.js";

let onChanged = () => {};

export function init(changed) {
  onChanged = changed;
  $("deposit-btn").addEventListener("click", () => busy("deposit-btn", "funds-message", deposit));
  $("withdraw-btn").addEventListener("click", () => busy("withdraw-btn", "funds-message", withdraw));
  $("withdraw-all-btn").addEventListener("click", () => busy("withdraw-all-btn", "funds-message", withdrawAll));
}

function amount(input) {
  if (state.decimals === null) throw new PortalError("err.noDecimals");
  try {
    const v = parseDecimal($(input).value, state.decimals);
    if (v === 0n) throw new RangeError();
    $(input).removeAttribute("aria-invalid");
    return v;
  } catch (error) {
    $(input).setAttribute("aria-invalid", "true");
    throw new PortalError(error.ambiguous ? "err.amountAmbiguous" : "err.amount", { decimals: state.decimals, text: $(input).value.trim() });
  }
}

function ready() {
  if (!state.account) throw new PortalError("err.connectFirst");
  if (!state.chainOk) throw new PortalError("err.wrongChain", chainParams());
  if (!state.token) throw new PortalError("err.noToken");
}

export async function refresh() {
  if (!state.account || !state.chainOk || !state.marketplace) {
    for (const id of ["wallet-balance", "available", "locked"]) $(id).textContent = "—";
    return;
  }
  const [balance, f] = await Promise.all([
    state.token ? chain.balanceOf(state.token, state.account) : null,
    chain.funds(state.marketplace, state.account),
  ]);
  $("wallet-balance").textContent = money(balance);
  $("wallet-balance").dataset.value = String(balance);
  $("available").textContent = money(f.available);
  $("available").dataset.value = String(f.available);
  $("locked").textContent = money(f.locked);
  $("locked").dataset.value = String(f.locked);
}

async function deposit() {
  ready();
  const value = amount("deposit-amount");
  const balance = await chain.balanceOf(state.token, state.account);
  if (balance < value) throw new PortalError("err.walletBalance", { balance: money(balance), amount: money(value) });
  const allowance = await chain.allowance(state.token, state.account, state.marketplace);
  const sent = (hash) => say("funds-message", "info", t("tx.sent", { hash }));
  if (allowance < value) {
    say("funds-message", "info", t("funds.approving"));
    await chain.tx.approve(state.account, state.token, state.marketplace, value, sent);
  }
  await chain.tx.deposit(state.account, state.marketplace, value, sent);
  say("funds-message", "ok", t("funds.deposited", { amount: money(value) }));
  await refresh();
  onChanged();
}

async function withdraw() {
  ready();
  const value = amount("withdraw-amount");
  const f = await chain.funds(state.marketplace, state.account);
  if (f.available < value) throw new PortalError("err.available", { available: money(f.available), amount: money(value) });
  await chain.tx.withdraw(state.account, state.marketplace, value, (hash) => say("funds-message", "info", t("tx.sent", { hash })));
  say("funds-message", "ok", t("funds.withdrawn", { amount: money(value) }));
  await refresh();
  onChanged();
}

async function withdrawAll() {
  ready();
  const f = await chain.funds(state.marketplace, state.account);
  if (f.available === 0n) throw new PortalError("err.nothingAvailable");
  await chain.tx.withdrawAll(state.account, state.marketplace, (hash) => say("funds-message", "info", t("tx.sent", { hash })));
  say("funds-message", "ok", t("funds.withdrawn", { amount: money(f.available) }));
  await refresh();
  onChanged();
}
