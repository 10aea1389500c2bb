// Small DOM helpers and the formatting every view shares.
import { t, lang } from "./i18n.js";
import { formatUnits } from "./units.js";
import { state } from "./state.js";

export const $ = (id) => document.getElementById(id);

/** Creates an element: el("td", {class: "x", text: "…"}, [children]). */
export function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) e.append(c);
  return e;
}

/** Shows a message in a message box: kind "info" | "ok" | "warn" | "error". */
export function say(box, kind, text) {
  const b = typeof box === "string" ? $(box) : box;
  b.textContent = text;
  b.dataset.kind = kind;
  b.hidden = !text;
}

/** The text of a PortalError (or any error) in the current language. */
export function errorText(error) {
  if (error && error.key) {
    let text = t(error.key, error.params);
    if (error.key === "err.reverted") {
      const hint = t("revert." + error.params.name, {}, "");
      if (hint) text += " — " + hint;
    }
    return text;
  }
  return t("err.unexpected", { detail: String((error && error.message) || error) });
}

/** Token base units → "1.50 CEUR" (exact). */
export function money(value) {
  if (value === null || value === undefined || state.decimals === null) return "—";
  const symbol = state.symbol || "€";
  return `${formatUnits(BigInt(value), state.decimals, 2)} ${symbol}`;
}

/** Price per kWh in base units → "0.21 €/kWh". */
export function pricePerKWh(value) {
  if (value === null || value === undefined || state.decimals === null) return "—";
  return `${formatUnits(BigInt(value), state.decimals, 2)} ${state.symbol || "€"}/kWh`;
}

/** Unix seconds → local date and time in the session's zone. */
export function dateTime(unix, timeZone) {
  const options = { dateStyle: "medium", timeStyle: "medium" };
  if (timeZone) options.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat(lang() === "it" ? "it-IT" : "en-GB", options).format(new Date(unix * 1000));
  } catch {
    return new Date(unix * 1000).toISOString();
  }
}

/** Seconds → "1 g 02:03:04" / "1 d 02:03:04". */
export function countdown(seconds) {
  if (seconds <= 0) return t("time.passed");
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60), s = Math.floor(seconds % 60);
  const hms = [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
  return d > 0 ? `${d} ${t("time.days")} ${hms}` : hms;
}

/** Chain time now (the latest block's time plus what passed since it was read). */
export function chainNow() {
  return Math.floor(Date.now() / 1000 + state.chainOffset);
}

/** Short address 0x1234…abcd. */
export function short(address) {
  return address ? address.slice(0, 6) + "…" + address.slice(-4) : "—";
}

/** Runs an async action with its button disabled and busy, showing errors in `box`. */
export async function busy(button, box, action) {
  const b = typeof button === "string" ? $(button) : button;
  if (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); }
  try {
    return await action();
  } catch (error) {
    console.error(error);
    say(box, "error", errorText(error));
    return undefined;
  } finally {
    if (b) { b.disabled = false; b.removeAttribute("aria-busy"); }
  }
}
