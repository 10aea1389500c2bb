// Exact decimal ⇄ integer conversions with BigInt (never floating point for amounts).

/**
 * Parses a non-negative decimal ("1", "0.25", "1,5" with a decimal comma) into an integer scaled
 * by 10^decimals. Throws on signs, exponents, more decimals than allowed, or garbage.
 */
export function parseDecimal(text, decimals) {
  const t = String(text).trim().replace(",", ".");
  const m = t.match(/^(\d*)(?:\.(\d*))?$/);
  if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) throw new RangeError("not a number");
  const frac = m[2] || "";
  if (frac.length > decimals) throw new RangeError(`at most ${decimals} decimals`);
  return BigInt(m[1] || "0") * 10n ** BigInt(decimals) + BigInt((frac + "0".repeat(decimals)).slice(0, decimals) || "0");
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
  return formatUnits(BigInt(wh), 3, 0);
}
