// Results of the selected session for the connected member: chart, fills, deliveries, money.
import { $, el, say, money, pricePerKWh, short } from "./dom.js";
import { t } from "./i18n.js";
import { state, chainParams } from "./state.js";
import { api } from "./api.js";
import { resultsChart } from "./chart.js";
import { whToKwh, toBig } from "./units.js";
import * as chain from "./chain.js";
import { decodeParticipation, sessionBlock } from "./market.js";

export async function refresh() {
  const s = state.session;
  const box = $("results-body");
  if (!s) { box.hidden = true; return; }
  box.hidden = false;
  say("results-message", "", "");
  const results = await api.results(s.id, state.account || undefined);
  let report = null;
  if (s.reportAvailable) {
    try { report = await api.report(s.id); } catch { report = null; }
  }
  const labelOf = new Map((s.slotStarts || []).map((x) => [x.slot, x.start]));
  const volume = new Map((report?.slots || []).map((x) => [x.slot, toBig(x.volumeWh ?? 0)]));
  const mine = (results.fills || []).filter((f) => !state.account || f.member.toLowerCase() === state.account.toLowerCase());
  const slots = Array.from({ length: s.slots }, (_, i) => ({
    slot: i, label: labelOf.get(i) || String(i), price: null, boughtWh: 0n, soldWh: 0n, volumeWh: volume.get(i) ?? null,
  }));
  // Prices are shown only once the token's decimals are known.
  for (const p of results.prices || []) if (slots[p.slot] && p.price !== null && state.decimals !== null) slots[p.slot].price = BigInt(p.price);
  for (const f of mine) {
    if (!slots[f.slot]) continue;
    if (f.side === "buy") slots[f.slot].boughtWh += toBig(f.quantityWh);
    else slots[f.slot].soldWh += toBig(f.quantityWh);
  }
  const hasPrices = slots.some((x) => x.price !== null);
  $("results-state").textContent = t("state." + results.state, {}, results.state);
  $("results-empty").hidden = hasPrices;
  const chartBox = $("results-chart");
  chartBox.replaceChildren(resultsChart(slots, {
    decimals: state.decimals ?? 0, symbol: state.symbol || "€",
    labels: { title: t("results.chart"), price: t("results.price"), bought: t("results.bought"), sold: t("results.sold"), volume: t("results.volume") },
  }));
  $("fills").replaceChildren(...mine.map((f) => el("tr", { class: "fill-row", "data-member": f.member }, [
    el("td", { text: `${f.slot} · ${labelOf.get(f.slot) || ""}` }), el("td", { text: t("orders." + f.side) }),
    el("td", { class: "num", text: whToKwh(f.quantityWh) }), el("td", { class: "num", text: pricePerKWh(f.price) }),
  ])));
  $("fills-empty").hidden = mine.length > 0;
  const deliveries = (results.deliveries || []).filter((d) => !state.account || d.member.toLowerCase() === state.account.toLowerCase());
  // A penalty is per member (members[].penalty, in the totals), never repeated on delivery rows.
  $("deliveries").replaceChildren(...deliveries.map((d) => el("tr", { class: "delivery-row" }, [
    el("td", { text: `${d.slot} · ${labelOf.get(d.slot) || ""}` }), el("td", { text: t("orders." + d.side) }),
    el("td", { class: "num", text: whToKwh(d.validatedWh) }), el("td", { class: "num", text: whToKwh(d.shortfallWh) }),
  ])));
  $("deliveries-empty").hidden = deliveries.length > 0;
  const me = (results.members || []).find((m) => state.account && m.address.toLowerCase() === state.account.toLowerCase());
  $("r-bought").textContent = me ? `${whToKwh(me.boughtWh)} kWh` : "—";
  $("r-sold").textContent = me ? `${whToKwh(me.soldWh)} kWh` : "—";
  $("r-delivered").textContent = me ? `${whToKwh(me.deliveredWh)} kWh` : "—";
  $("r-paid").textContent = me ? money(me.paid) : "—";
  $("r-received").textContent = me ? money(me.received) : "—";
  $("r-penalty").textContent = me ? money(me.penalty) : "—";
  $("r-member").textContent = state.account ? short(state.account) : t("results.allMembers");
  // The run folder's figures are the runner's last view; the participation word is the chain's now.
  let onChain = "—";
  const block = sessionBlock(state.info, s, state.chainId);
  if (state.account && !block && s.chainSessionId) {
    const p = decodeParticipation(await chain.participation(state.marketplace, s.chainSessionId, state.account), s.state);
    onChain = t("part." + p.state);
    if (p.state === "validated") onChain = t("results.toCollect", { amount: money(p.amount) });
    if (p.state === "settled") onChain = p.amount === 0n ? t("results.settledZero") : t("results.collected", { amount: money(p.amount) });
  } else if (state.account && block) onChain = t(block, chainParams());
  $("r-chain").textContent = onChain;
  reportCharts(s, slots, mine, labelOf);
}

// The session report's own charts (GET …/report.html?slot=N, the renderer of `cer-run report`)
// for the member's slots: those it traded in, else every slot with orders or volume.
function reportCharts(s, slots, mine, labelOf) {
  const box = $("report-box");
  box.hidden = !s.reportAvailable;
  if (!s.reportAvailable) return;
  const traded = [...new Set(mine.map((f) => f.slot))].sort((a, b) => a - b);
  const choices = traded.length > 0 ? traded : slots.filter((x) => x.volumeWh !== null && x.volumeWh > 0n).map((x) => x.slot);
  const select = $("report-slot");
  const previous = select.value;
  select.replaceChildren(...choices.map((slot) => el("option", { value: String(slot), text: `${slot} · ${labelOf.get(slot) || ""}` })));
  if (choices.map(String).includes(previous)) select.value = previous;
  const base = `/api/v1/sessions/${encodeURIComponent(s.id)}/report.html`;
  const show = () => {
    const url = select.value === "" ? base : `${base}?slot=${encodeURIComponent(select.value)}`;
    if ($("report-frame").getAttribute("src") !== url) $("report-frame").setAttribute("src", url);
    $("report-open").setAttribute("href", url);
  };
  select.onchange = show;
  show();
}
