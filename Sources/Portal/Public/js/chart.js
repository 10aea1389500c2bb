// The results chart: clearing price per slot (line and dots) over the member's fills per slot
// (bars: bought up, sold down) and, lighter, the community's traded volume. Plain SVG.
import { formatUnits } from "./units.js";

const NS = "http://www.w3.org/2000/svg";
function node(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * slots: [{slot, label, price: BigInt|null, boughtWh: BigInt, soldWh: BigInt, volumeWh: BigInt|null}]
 * Pixel positions use Numbers (scaled ratios); every printed number is exact.
 */
export function resultsChart(slots, { decimals, symbol, labels }) {
  const W = 720, H = 360, left = 64, right = 16, top = 24, mid = 190, bottom = 320;
  const svg = node("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": labels.title, class: "chart" });
  svg.append(node("title", {}, labels.title));
  svg.append(node("rect", { x: 0, y: 0, width: W, height: H, fill: "#ffffff" }));
  const n = Math.max(slots.length, 1);
  const step = (W - left - right) / n;
  const x = (i) => left + step * (i + 0.5);

  // Price panel.
  const prices = slots.map((s) => s.price).filter((p) => p !== null);
  const maxPrice = prices.reduce((a, p) => (p > a ? p : a), 0n) || 1n;
  const py = (p) => mid - 20 - Number((p * 1000n) / maxPrice) / 1000 * (mid - 20 - top);
  svg.append(node("line", { x1: left, y1: mid - 20, x2: W - right, y2: mid - 20, stroke: "#888" }));
  svg.append(node("text", { x: 4, y: top + 4, class: "axis" }, formatUnits(maxPrice, decimals, 2)));
  svg.append(node("text", { x: 4, y: mid - 20, class: "axis" }, "0"));
  svg.append(node("text", { x: left, y: 14, class: "legend" }, `${labels.price} (${symbol}/kWh)`));
  let path = "";
  slots.forEach((s, i) => {
    if (s.price === null) return;
    path += (path ? " L" : "M") + x(i).toFixed(1) + " " + py(s.price).toFixed(1);
  });
  if (path) svg.append(node("path", { d: path, fill: "none", stroke: "#1565c0", "stroke-width": 2 }));
  slots.forEach((s, i) => {
    if (s.price === null) return;
    const dot = node("circle", { cx: x(i).toFixed(1), cy: py(s.price).toFixed(1), r: 4, fill: "#1565c0", class: "price-dot", "data-slot": s.slot });
    dot.append(node("title", {}, `${s.label}: ${formatUnits(s.price, decimals, 2)} ${symbol}/kWh`));
    svg.append(dot);
  });

  // Energy panel: zero line at the middle of the lower panel.
  const zero = (mid + bottom) / 2 + 10;
  const half = (bottom - mid) / 2 - 10;
  const maxWh = slots.reduce((a, s) => {
    for (const v of [s.boughtWh, s.soldWh, s.volumeWh ?? 0n]) if (v > a) a = v;
    return a;
  }, 0n) || 1n;
  const h = (wh) => Number((wh * 1000n) / maxWh) / 1000 * half;
  svg.append(node("text", { x: left, y: mid + 4, class: "legend" }, `${labels.bought} ▲ / ${labels.sold} ▼ (kWh) · ${labels.volume}`));
  svg.append(node("text", { x: 4, y: zero - half + 4, class: "axis" }, formatUnits(maxWh, 3, 0)));
  slots.forEach((s, i) => {
    const bw = Math.max(step * 0.6, 2);
    if (s.volumeWh) svg.append(node("rect", { x: (x(i) - step * 0.45).toFixed(1), y: (zero - h(s.volumeWh)).toFixed(1), width: (step * 0.9).toFixed(1), height: h(s.volumeWh).toFixed(1), fill: "#e0e0e0" }));
    if (s.boughtWh > 0n) {
      const r = node("rect", { x: (x(i) - bw / 2).toFixed(1), y: (zero - h(s.boughtWh)).toFixed(1), width: bw.toFixed(1), height: h(s.boughtWh).toFixed(1), fill: "#2e7d32", class: "fill-bar", "data-slot": s.slot });
      r.append(node("title", {}, `${s.label}: ${labels.bought} ${formatUnits(s.boughtWh, 3, 0)} kWh`));
      svg.append(r);
    }
    if (s.soldWh > 0n) {
      const r = node("rect", { x: (x(i) - bw / 2).toFixed(1), y: zero.toFixed(1), width: bw.toFixed(1), height: h(s.soldWh).toFixed(1), fill: "#ef6c00", class: "fill-bar", "data-slot": s.slot });
      r.append(node("title", {}, `${s.label}: ${labels.sold} ${formatUnits(s.soldWh, 3, 0)} kWh`));
      svg.append(r);
    }
    if (i % (n > 48 ? 8 : n > 12 ? 3 : 1) === 0) svg.append(node("text", { x: x(i).toFixed(1), y: H - 8, "text-anchor": "middle", class: "axis" }, s.label));
  });
  svg.append(node("line", { x1: left, y1: zero, x2: W - right, y2: zero, stroke: "#888" }));
  return svg;
}
