// The member portal: wallet, routing between the pages, periodic refresh.
import { $, say, errorText, short, busy } from "./dom.js";
import { t, setLang, lang, apply } from "./i18n.js";
import { state } from "./state.js";
import { api } from "./api.js";
import * as wallet from "./wallet.js";
import * as chain from "./chain.js";
import { checksumAddress } from "./abi.js";
import * as join from "./view-join.js";
import * as session from "./view-session.js";
import * as funds from "./view-funds.js";
import * as results from "./view-results.js";
import * as admin from "./view-admin.js";

const VIEWS = ["join", "session", "funds", "results", "admin"];

function route() {
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
  const view = VIEWS.includes(name) ? name : "join";
  for (const v of VIEWS) {
    $("view-" + v).hidden = v !== view;
    const link = $("nav-" + v);
    if (v === view) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  document.body.dataset.view = view;
  refreshView(view);
}

let refreshes = 0;

/** Reloads what `view` shows; only the newest refresh marks the page loaded (data-loaded). */
async function refreshView(view = document.body.dataset.view) {
  const ticket = ++refreshes;
  try {
    if (state.account) await join.refresh();
    if (view === "join" && !state.account) await join.refresh();
    else if (view === "session") { await session.loadSessions(); }
    else if (view === "funds") await funds.refresh();
    else if (view === "results") { if (!state.session) await session.loadSessions(); await results.refresh(); }
    else if (view === "admin") await admin.refresh();
    if (ticket !== refreshes) return;
    if ($("banner").dataset.kind === "error") say("banner", "", "");
    document.body.dataset.loaded = view;
  } catch (error) {
    console.error(error);
    say("banner", "error", errorText(error));
    if (ticket === refreshes) document.body.dataset.loaded = view;
  }
}

function renderWallet() {
  const connected = !!state.account;
  $("connect-btn").hidden = connected;
  $("account").hidden = !connected;
  $("account").textContent = connected ? short(state.account) : "";
  $("account").title = state.account || "";
  const net = $("network");
  net.hidden = state.chainId === null;
  if (state.chainId !== null) {
    net.textContent = t("wallet.chain", { id: String(state.chainId) });
    net.dataset.ok = String(state.chainOk);
  }
  const expected = state.info?.chainId;
  if (state.chainId !== null && !state.chainOk) {
    say("chain-warning", "warn", expected == null ? t("err.serverNoChain") : t("err.wrongChain", { expected: String(expected), actual: String(state.chainId) }));
  } else say("chain-warning", "", "");
}

async function updateChain() {
  state.chainId = await wallet.chainId();
  const expected = state.info?.chainId;
  state.chainOk = expected !== null && expected !== undefined && BigInt(expected) === state.chainId;
  if (state.chainOk && state.marketplace && !state.token) {
    state.token = checksumAddress(await chain.tokenOf(state.marketplace));
  }
  if (state.chainOk && state.token && state.decimals === null) {
    state.decimals = await chain.decimals(state.token);
  }
  await syncClock();
  renderWallet();
  // The page's commitment against the contract's, once per chain and marketplace, on a fixed
  // vector (never the member's orders or salt); a failure is shown and blocks committing.
  if (state.chainOk && state.marketplace && state.info?.chain) {
    try { await session.selfCheck(); } catch (error) { say("banner", "error", errorText(error)); }
  }
}

async function syncClock() {
  if (!globalThis.ethereum) return;
  try {
    const ts = await wallet.chainTime();
    state.chainOffset = ts - Date.now() / 1000;
    $("clock-source").textContent = t("time.chain");
  } catch {
    $("clock-source").textContent = t("time.local");
  }
}

async function setAccounts(list) {
  state.account = list && list.length ? checksumAddress(list[0]) : null;
  renderWallet();
}

async function connect() {
  const list = await wallet.requestAccounts();
  await setAccounts(list);
  await updateChain();
  say("banner", "", "");
  await refreshView();
}

async function start() {
  setLang(localStorage.getItem("cer-lang") || "it");
  for (const b of document.querySelectorAll("[data-lang]")) {
    b.addEventListener("click", () => {
      setLang(b.dataset.lang);
      localStorage.setItem("cer-lang", b.dataset.lang);
      renderWallet();
      refreshView();
    });
  }
  join.init();
  session.init(() => { if (document.body.dataset.view === "results") results.refresh(); });
  funds.init(() => session.refresh().catch(() => {}));
  admin.init();
  $("connect-btn").addEventListener("click", () => busy("connect-btn", "banner", connect));
  $("refresh-btn").addEventListener("click", () => busy("refresh-btn", "banner", async () => { await updateChain(); await refreshView(); }));
  window.addEventListener("hashchange", route);
  try {
    state.info = await api.info();
  } catch (error) {
    say("banner", "error", errorText(error));
    state.info = {};
  }
  const info = state.info;
  state.marketplace = info.marketplace ? checksumAddress(info.marketplace) : null;
  state.token = info.token ? checksumAddress(info.token) : null;
  if (info.tokenDecimals !== null && info.tokenDecimals !== undefined) state.decimals = info.tokenDecimals;
  state.symbol = info.tokenSymbol || "";
  $("community").textContent = info.community || "";
  $("version").textContent = info.version ? `cer-run ${info.version}` : "";
  $("nav-admin").hidden = !info.admin;
  if (!globalThis.ethereum) {
    say("banner", "warn", t("err.noWallet"));
  } else {
    wallet.onChange(async (kind, value) => {
      try {
        if (kind === "accounts") await setAccounts(value);
        else await updateChain();
        await refreshView();
      } catch (error) { say("banner", "error", errorText(error)); }
    });
    try {
      await setAccounts(await wallet.accounts());
      await updateChain();
    } catch (error) { say("banner", "error", errorText(error)); }
  }
  setInterval(() => syncClock(), 10000);
  document.documentElement.lang = lang();
  apply();
  route();
  document.body.dataset.ready = "true";
}

start();
