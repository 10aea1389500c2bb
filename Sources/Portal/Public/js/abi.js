// A small ABI codec for the types the portal uses: uintN, intN (decode), bool, address, bytes32
// (bytesN), bytes, string, T[] and tuples "(T1,T2,…)". Values: BigInt for integers, booleans,
// 0x-hex strings for address/bytes, arrays for arrays and tuples.
import { keccak256, toHex, fromHex } from "./keccak.js";

const WORD = 32n;
const MAX256 = (1n << 256n) - 1n;

/** Splits "a,(b,c)[],d" at top-level commas. */
function splitTypes(list) {
  const out = [];
  let depth = 0, start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) { out.push(list.slice(start, i)); start = i + 1; }
  }
  if (list.length > 0) out.push(list.slice(start));
  return out.map((t) => t.trim());
}

/** Parses a type string into {kind, …}. */
export function parseType(type) {
  const t = type.trim();
  const arr = t.match(/^(.*)\[(\d*)\]$/);
  if (arr) {
    const inner = parseType(arr[1]);
    return arr[2] === "" ? { kind: "array", inner } : { kind: "fixedArray", inner, length: Number(arr[2]) };
  }
  if (t.startsWith("(") && t.endsWith(")")) return { kind: "tuple", items: splitTypes(t.slice(1, -1)).map(parseType) };
  let m;
  if ((m = t.match(/^uint(\d*)$/))) return { kind: "uint", bits: Number(m[1] || 256) };
  if ((m = t.match(/^int(\d*)$/))) return { kind: "int", bits: Number(m[1] || 256) };
  if (t === "address") return { kind: "address" };
  if (t === "bool") return { kind: "bool" };
  if (t === "bytes") return { kind: "bytes" };
  if (t === "string") return { kind: "string" };
  if ((m = t.match(/^bytes(\d+)$/)) && Number(m[1]) >= 1 && Number(m[1]) <= 32) return { kind: "fixedBytes", size: Number(m[1]) };
  throw new Error("unsupported ABI type: " + type);
}

function isDynamic(p) {
  if (p.kind === "bytes" || p.kind === "string" || p.kind === "array") return true;
  if (p.kind === "fixedArray") return isDynamic(p.inner);
  if (p.kind === "tuple") return p.items.some(isDynamic);
  return false;
}

function headSize(p) {
  if (isDynamic(p)) return 32;
  if (p.kind === "tuple") return p.items.reduce((a, q) => a + headSize(q), 0);
  if (p.kind === "fixedArray") return p.length * headSize(p.inner);
  return 32;
}

function word(n) {
  const out = new Uint8Array(32);
  let v = n;
  for (let i = 31; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

function concat(parts) {
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function toBig(v) {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error("unsafe integer " + v);
    return BigInt(v);
  }
  if (typeof v === "string" && /^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return BigInt(v);
  throw new Error("not an integer: " + v);
}

function encodeTuple(types, values) {
  if (types.length !== values.length) throw new Error(`expected ${types.length} values, got ${values.length}`);
  const heads = [], tails = [];
  let tailOffset = types.reduce((a, p) => a + headSize(p), 0);
  types.forEach((p, i) => {
    const enc = encodeOne(p, values[i]);
    if (isDynamic(p)) {
      heads.push(word(BigInt(tailOffset)));
      tails.push(enc);
      tailOffset += enc.length;
    } else heads.push(enc);
  });
  return concat([...heads, ...tails]);
}

function padRight(bytes) {
  const len = Math.ceil(bytes.length / 32) * 32;
  const out = new Uint8Array(len);
  out.set(bytes);
  return out;
}

function encodeOne(p, v) {
  switch (p.kind) {
    case "uint": {
      const n = toBig(v);
      if (n < 0n || n >> BigInt(p.bits) !== 0n) throw new Error(`value ${n} out of range for uint${p.bits}`);
      return word(n);
    }
    case "int": {
      const n = toBig(v);
      const lim = 1n << BigInt(p.bits - 1);
      if (n < -lim || n >= lim) throw new Error(`value ${n} out of range for int${p.bits}`);
      return word(n < 0n ? (MAX256 + 1n + n) : n);
    }
    case "bool": return word(v ? 1n : 0n);
    case "address": {
      const b = fromHex(v);
      if (b.length !== 20) throw new Error("address must be 20 bytes: " + v);
      const out = new Uint8Array(32); out.set(b, 12); return out;
    }
    case "fixedBytes": {
      const b = typeof v === "string" ? fromHex(v) : v;
      if (b.length !== p.size) throw new Error(`bytes${p.size} must be ${p.size} bytes`);
      const out = new Uint8Array(32); out.set(b); return out;
    }
    case "bytes": case "string": {
      const b = p.kind === "string" ? new TextEncoder().encode(v) : (typeof v === "string" ? fromHex(v) : v);
      return concat([word(BigInt(b.length)), padRight(b)]);
    }
    case "array": return concat([word(BigInt(v.length)), encodeTuple(v.map(() => p.inner), v)]);
    case "fixedArray":
      if (v.length !== p.length) throw new Error(`expected ${p.length} items`);
      return encodeTuple(v.map(() => p.inner), v);
    case "tuple": return encodeTuple(p.items, v);
  }
  throw new Error("cannot encode " + p.kind);
}

/** abi.encode(values) for `types` (strings); returns bytes. */
export function encode(types, values) {
  return encodeTuple(types.map(parseType), values);
}

function readWord(data, offset) {
  if (offset + 32 > data.length) throw new Error("ABI data too short");
  let n = 0n;
  for (let i = 0; i < 32; i++) n = (n << 8n) | BigInt(data[offset + i]);
  return n;
}

function decodeTuple(types, data, base) {
  const out = [];
  let head = base;
  for (const p of types) {
    if (isDynamic(p)) {
      const off = Number(readWord(data, head));
      out.push(decodeOne(p, data, base + off));
      head += 32;
    } else {
      out.push(decodeOne(p, data, head));
      head += headSize(p);
    }
  }
  return out;
}

function decodeOne(p, data, offset) {
  switch (p.kind) {
    case "uint": {
      const n = readWord(data, offset);
      if (n >> BigInt(p.bits) !== 0n) throw new Error(`uint${p.bits} out of range`);
      return n;
    }
    case "int": {
      const n = readWord(data, offset);
      return n >> 255n ? n - (MAX256 + 1n) : n;
    }
    case "bool": return readWord(data, offset) !== 0n;
    case "address": return toHex(data.slice(offset + 12, offset + 32));
    case "fixedBytes": return toHex(data.slice(offset, offset + p.size));
    case "bytes": case "string": {
      const len = Number(readWord(data, offset));
      if (offset + 32 + len > data.length) throw new Error("ABI data too short");
      const b = data.slice(offset + 32, offset + 32 + len);
      return p.kind === "string" ? new TextDecoder().decode(b) : toHex(b);
    }
    case "array": {
      const len = Number(readWord(data, offset));
      if (len > data.length) throw new Error("ABI array length too large");
      return decodeTuple(Array(len).fill(p.inner), data, offset + 32);
    }
    case "fixedArray": return decodeTuple(Array(p.length).fill(p.inner), data, offset);
    case "tuple": return decodeTuple(p.items, data, offset);
  }
  throw new Error("cannot decode " + p.kind);
}

/** abi.decode(data, types); data is bytes or 0x-hex. */
export function decode(types, data) {
  const bytes = typeof data === "string" ? fromHex(data) : data;
  return decodeTuple(types.map(parseType), bytes, 0);
}

/** The 4-byte selector of a canonical signature such as "transfer(address,uint256)". */
export function selector(signature) {
  return keccak256(signature).slice(0, 4);
}

/** Calldata for `signature` ("name(type,…)") and values, as 0x-hex. */
export function encodeCall(signature, values = []) {
  const open = signature.indexOf("(");
  const types = splitTypes(signature.slice(open + 1, -1));
  return toHex(concat([selector(signature), encode(types, values)]));
}

/** EIP-55 checksummed form of an address. */
export function checksumAddress(address) {
  const hex = address.toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new Error("invalid address: " + address);
  const hash = toHex(keccak256(hex)).slice(2);
  let out = "0x";
  for (let i = 0; i < 40; i++) out += parseInt(hash[i], 16) >= 8 ? hex[i].toUpperCase() : hex[i];
  return out;
}

/** True when `address` is 0x + 40 hex digits and, if mixed case, a valid EIP-55 checksum. */
export function isAddress(address) {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return false;
  const body = address.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return checksumAddress(address) === address;
}
