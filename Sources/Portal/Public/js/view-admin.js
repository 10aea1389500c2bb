// The admin page: the bearer token (typed by the admin, kept in sessionStorage only), members by
// status, approve / reject / suspend / reinstate through the server's admin API.
import { $, el, say, busy, dateTime } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./state.js";
import { api } from "./api.js";
import { PortalError } from "./wallet.js";

const KEY = "cer-admin-token";
const ACTIONS = { pending: ["approve", "reject"], active: ["suspend"], suspended: ["reinstate"], rejected: [] };

export function init() {
  $("admin-token").value = sessionStorage.getItem(KEY) || "";
  $("admin-save").addEventListener("click", () => {
    const v = $("admin-token").value.trim();
    if (v) sessionStorage.setItem(KEY, v); else sessionStorage.removeItem(KEY);
    say("admin-message", "ok", v ? t("admin.saved") : t("admin.forgotten"));
  });
  $("admin-forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY);
    $("admin-token").value = "";
    say("admin-message", "ok", t("admin.forgotten"));
  });
  $("admin-filter").addEventListener("change", () => refresh().catch((e) => say("admin-message", "error", String(e.message))));
  $("admin-reload").addEventListener("click", () => busy("admin-reload", "admin-message", refresh));
}

export async function refresh() {
  $("admin-disabled").hidden = !!state.info?.admin;
  const filter = $("admin-filter").value || undefined;
  let items = [], cursor;
  do {
    const page = await api.members(filter, cursor);
    items = items.concat(page.items || []);
    cursor = page.next;
  } while (cursor);
  const rows = items.map((m) => el("tr", { "data-address": m.address, "data-status": m.status, class: "member-row" }, [
    el("td", { class: "addr", text: m.address }),
    el("td", {}, [el("span", { class: "badge", "data-status": m.status, text: t("status." + m.status) })]),
    el("td", { text: m.registeredAt ? dateTime(m.registeredAt) : "—" }),
    el("td", { class: "hash", text: m.adhesionHash, title: m.adhesionHash }),
    el("td", { class: "actions" }, (ACTIONS[m.status] || []).map((action) =>
      el("button", { type: "button", class: `act act-${action}`, "data-action": action, text: t("admin." + action),
        onclick: (e) => busy(e.currentTarget, "admin-message", () => act(m.address, action)) }))),
  ]));
  $("admin-members").replaceChildren(...rows);
  $("admin-empty").hidden = rows.length > 0;
}

async function act(address, action) {
  const token = sessionStorage.getItem(KEY) || $("admin-token").value.trim();
  if (!token) throw new PortalError("err.adminToken");
  say("admin-message", "info", t("admin.working", { action: t("admin." + action), address }));
  let outcome;
  try {
    outcome = await api.admin(address, action, token);
  } catch (error) {
    if (error.status === 401) throw new PortalError("err.adminUnauthorized");
    if (error.status === 403) throw new PortalError("err.adminDisabled");
    throw error;
  }
  say("admin-message", "ok", t("admin.done", {
    address, before: t("status." + outcome.before), after: t("status." + outcome.after),
    tx: outcome.transactionHash || t("admin.nothingSent"),
  }));
  await refresh();
}
