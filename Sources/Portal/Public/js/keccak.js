// Keccak-256 (the original Keccak padding 0x01 that Ethereum uses, not FIPS-202 SHA3-256's 0x06).
// Lanes are kept as pairs of 32-bit words (low, high) in a Uint32Array of 50 entries.

const RC = new Uint32Array([
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000,
  0x0000808b, 0x00000000, 0x80000001, 0x00000000, 0x80008081, 0x80000000, 0x00008009, 0x80000000,
  0x0000008a, 0x00000000, 0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000,
  0x8000808b, 0x00000000, 0x0000008b, 0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000,
  0x00008002, 0x80000000, 0x00000080, 0x80000000, 0x0000800a, 0x00000000, 0x8000000a, 0x80000000,
  0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001, 0x00000000, 0x80008008, 0x80000000,
]);

// Rotation offsets and the pi permutation, in the order of the rho-pi walk.
const ROT = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44];
const PI = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1];

function keccakF(s) {
  const c = new Uint32Array(10);
  for (let round = 0; round < 24; round++) {
    // theta
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x] ^ s[2 * x + 10] ^ s[2 * x + 20] ^ s[2 * x + 30] ^ s[2 * x + 40];
      c[2 * x + 1] = s[2 * x + 1] ^ s[2 * x + 11] ^ s[2 * x + 21] ^ s[2 * x + 31] ^ s[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const l = c[2 * ((x + 1) % 5)], h = c[2 * ((x + 1) % 5) + 1];
      const dl = c[2 * ((x + 4) % 5)] ^ ((l << 1) | (h >>> 31));
      const dh = c[2 * ((x + 4) % 5) + 1] ^ ((h << 1) | (l >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (y + x)] ^= dl;
        s[2 * (y + x) + 1] ^= dh;
      }
    }
    // rho and pi
    let curL = s[2], curH = s[3];
    for (let i = 0; i < 24; i++) {
      const j = PI[i];
      const tl = s[2 * j], th = s[2 * j + 1];
      let r = ROT[i], nl, nh;
      if (r >= 32) {
        r -= 32;
        nl = curH; nh = curL; // swap halves, then rotate by the rest
        [curL, curH] = [nl, nh];
      }
      if (r === 0) { nl = curL; nh = curH; } else {
        nl = (curL << r) | (curH >>> (32 - r));
        nh = (curH << r) | (curL >>> (32 - r));
      }
      s[2 * j] = nl; s[2 * j + 1] = nh;
      curL = tl; curH = th;
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) { c[2 * x] = s[2 * (y + x)]; c[2 * x + 1] = s[2 * (y + x) + 1]; }
      for (let x = 0; x < 5; x++) {
        s[2 * (y + x)] = c[2 * x] ^ (~c[2 * ((x + 1) % 5)] & c[2 * ((x + 2) % 5)]);
        s[2 * (y + x) + 1] = c[2 * x + 1] ^ (~c[2 * ((x + 1) % 5) + 1] & c[2 * ((x + 2) % 5) + 1]);
      }
    }
    // iota
    s[0] ^= RC[2 * round];
    s[1] ^= RC[2 * round + 1];
  }
}

/** Keccak-256 of a Uint8Array (or a string, taken as UTF-8); returns 32 bytes. */
export function keccak256(input) {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const rate = 136;
  const s = new Uint32Array(50);
  const block = new Uint8Array(rate);
  const words = new Uint32Array(block.buffer, 0, rate / 4);
  let offset = 0;
  const absorb = () => {
    for (let i = 0; i < rate / 4; i++) s[i] ^= littleEndian ? words[i] : swap32(words[i]);
    keccakF(s);
  };
  while (bytes.length - offset >= rate) {
    block.set(bytes.subarray(offset, offset + rate));
    absorb();
    offset += rate;
  }
  block.fill(0);
  block.set(bytes.subarray(offset));
  block[bytes.length - offset] ^= 0x01;
  block[rate - 1] ^= 0x80;
  absorb();
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = s[i];
    out[4 * i] = w & 0xff; out[4 * i + 1] = (w >>> 8) & 0xff;
    out[4 * i + 2] = (w >>> 16) & 0xff; out[4 * i + 3] = w >>> 24;
  }
  return out;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function swap32(w) {
  return ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
}

/** Bytes to 0x-prefixed lowercase hex. */
export function toHex(bytes) {
  let out = "0x";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** 0x-hex (even length) to bytes. */
export function fromHex(hex) {
  const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new Error("invalid hex: " + hex);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
  return out;
}

/** keccak256 as 0x-hex. */
export function keccakHex(input) {
  return toHex(keccak256(input));
}
