// Onboarding: hash the signed adhesion PDF in the browser and notarise it with registerUser.
import { keccak256, toHex } from "./keccak.js";
import { $, say, busy, dateTime } from "./dom.js";
import { t } from "./i18n.js";
import { state, chainParams } from "./state.js";
import * as chain from "./chain.js";
import { PortalError } from "./wallet.js";

let documentHash = null;

export function init() {
  $("adhesion-file").addEventListener("change", async (event) => {
    documentHash = null;
    $("adhesion-hash").textContent = "—";
    const file = event.target.files[0];
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    documentHash = toHex(keccak256(bytes));
    $("adhesion-hash").textContent = documentHash;
    $("adhesion-hash").dataset.hash = documentHash;
    say("join-message", "info", t("join.hashed", { name: file.name, bytes: bytes.length }));
    render();
  });
  $("register-btn").addEventListener("click", () =>
    busy("register-btn", "join-message", async () => {
      if (!state.account) throw new PortalError("err.connectFirst");
      if (!state.chainOk) throw new PortalError("err.wrongChain", chainParams());
      if (!documentHash) throw new PortalError("err.noDocument");
      if (!["none", "rejected"].includes(state.memberStatus)) throw new PortalError("err.alreadyRegistered", { status: t("status." + state.memberStatus) });
      await chain.tx.register(state.account, state.marketplace, documentHash, (hash) => say("join-message", "info", t("tx.sent", { hash })));
      say("join-message", "ok", t("join.registered"));
      await refresh();
    }));
}

export async function refresh() {
  if (!state.account || !state.marketplace || !state.chainOk) {
    state.memberStatus = null;
    render();
    return;
  }
  const m = await chain.member(state.marketplace, state.account);
  state.memberStatus = m.status;
  $("member-registered").textContent = m.registeredAt ? dateTime(m.registeredAt) : "—";
  $("member-doc").textContent = m.status === "none" ? "—" : m.adhesionHash;
  render();
}

export function render() {
  const status = state.memberStatus;
  const badge = $("member-status");
  badge.dataset.status = status || "unknown";
  badge.textContent = status ? t("status." + status) : t("status.unknown");
  $("member-status-help").textContent = status ? t("status.help." + status) : t("wallet.connectHint");
  const canRegister = !!state.account && state.chainOk && ["none", "rejected"].includes(status);
  $("register-btn").disabled = !(canRegister && documentHash);
  $("join-form").hidden = !!status && !["none", "rejected"].includes(status);
}
