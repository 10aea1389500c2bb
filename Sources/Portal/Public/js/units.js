// Exact decimal ⇄ integer conversions with BigInt (never floating point for amounts).

/**
 * Parses a non-negative decimal ("1", "0.25", "1,5" with a decimal comma) into an integer scaled
 * by 10^decimals. Throws a RangeError on signs, exponents, more decimals than allowed, or garbage,
 * and one with `ambiguous: true` on input that could be a thousands separator, in either
 * language: one to three digits (not starting with 0), a comma or a point, exactly three digits
 * and nothing else ("1,000" or "1.000": one or a thousand? Italian writes a thousand "1.000"),
 * or any grouping ("1.000,5", "1,000.5", "1 000", "1'000", "1.000.000"). "0,250", "1234.500"
 * and "1,5" are not ambiguous. Decimals beyond `decimals` are accepted when they are all zeros
 * (exact), so a value such as 1.234 kWh is written unambiguously "1.2340" or "1,2340".
 * `decimals` must be known (an integer).
 */
export function parseDecimal(text, decimals) {
  if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError("decimals unknown");
  const raw = String(text).trim();
  const ambiguous = () => Object.assign(new RangeError("ambiguous separator"), { ambiguous: true });
  if (/^[1-9]\d{0,2}[.,]\d{3}$/.test(raw)) throw ambiguous();
  if (/^\d[\d.,' \u00a0\u202f]*$/.test(raw) && /[' \u00a0\u202f]|[.,].*[.,]/.test(raw)) throw ambiguous();
  const t = raw.replace(",", ".");
  const m = t.match(/^(\d*)(?:\.(\d*))?$/);
  if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) throw new RangeError("not a number");
  let frac = m[2] || "";
  if (frac.length > decimals && /^0*$/.test(frac.slice(decimals))) frac = frac.slice(0, decimals);
  if (frac.length > decimals) throw new RangeError(`at most ${decimals} decimals`);
  return BigInt(m[1] || "0") * 10n ** BigInt(decimals) + BigInt((frac + "0".repeat(decimals)).slice(0, decimals) || "0");
}

/** An API integer that may come as a JSON number or a decimal string (Wh, counts) → BigInt. */
export function toBig(value) {
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw new RangeError(`not an integer: ${text}`);
  return BigInt(text);
}

/** Formats an integer scaled by 10^decimals as decimal text, at least `minFraction` decimals. */
export function formatUnits(value, decimals, minFraction = 2) {
  const v = BigInt(value);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = (a / base).toString();
  let frac = decimals > 0 ? (a % base).toString().padStart(decimals, "0") : "";
  frac = frac.replace(/0+$/, "");
  if (frac.length < minFraction) frac = frac.padEnd(Math.min(minFraction, decimals), "0");
  return (neg ? "-" : "") + whole + (frac ? "." + frac : "");
}

/** kWh text with at most 3 decimals → Wh (BigInt). */
export function kwhToWh(text) {
  return parseDecimal(text, 3);
}

/** Wh → kWh text (exact). */
export function whToKwh(wh) {
  if (wh === null || wh === undefined) return "—";
  return formatUnits(toBig(wh), 3, 0);
}
