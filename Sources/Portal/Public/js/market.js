// The marketplace's packed words, the sealed-order commitment and the custom errors, exactly as
// contracts/src/market/ defines them.
import { keccak256, toHex } from "./keccak.js";
import { encode, decode, selector } from "./abi.js";

const MASK64 = (1n << 64n) - 1n;

/** Order word: bits 0–63 limit price, 64–127 quantity (Wh), 128–135 side (0 buy, 1 sell), 136–151 slot. */
export function packOrder({ slot, side, wh, limitPrice }) {
  const s = side === "sell" || side === 1 ? 1n : 0n;
  const q = BigInt(wh), p = BigInt(limitPrice), sl = BigInt(slot);
  if (q <= 0n || q > MASK64) throw new Error("quantity out of range");
  if (p < 0n || p > MASK64) throw new Error("price out of range");
  if (sl < 0n || sl > 0xffffn) throw new Error("slot out of range");
  return p | (q << 64n) | (s << 128n) | (sl << 136n);
}

/** The inverse of packOrder (null for a word that is not an order). */
export function unpackOrder(word) {
  const w = BigInt(word);
  if (w >> 152n !== 0n) return null;
  const side = (w >> 128n) & 0xffn;
  if (side > 1n) return null;
  return { slot: Number((w >> 136n) & 0xffffn), side: side === 0n ? "buy" : "sell", wh: (w >> 64n) & MASK64, limitPrice: w & MASK64 };
}

/**
 * The fixed vector the page checks once per chain and marketplace against the contract's
 * computeCommitment (eth_call): dummy orders and a dummy salt, never a member's.
 */
export const SELF_CHECK = Object.freeze({
  sessionId: 1n,
  member: "0x000000000000000000000000000000000000dEaD",
  words: [packOrder({ slot: 0, side: "buy", wh: 1000n, limitPrice: 1n }), packOrder({ slot: 23, side: "sell", wh: 1n, limitPrice: 0n })],
  salt: "0x" + "5a".repeat(32),
});

/**
 * Whether the selected session can be acted on from this page: null when it can, else the i18n
 * key saying why. The session must be of the server's marketplace (case-insensitive) on the
 * server's chain, the server must read a node (`info.chain`) and the wallet be on that chain.
 */
export function sessionBlock(info, session, walletChainId) {
  if (!info || info.chain !== true || !info.marketplace || info.chainId === null || info.chainId === undefined) return "block.noChain";
  if (!session || !session.marketplace || String(session.marketplace).toLowerCase() !== String(info.marketplace).toLowerCase()) return "block.otherMarket";
  if (walletChainId === null || walletChainId === undefined) return "block.noWallet";
  if (BigInt(walletChainId) !== BigInt(info.chainId)) return "block.wrongChain";
  return null;
}

/** keccak256(abi.encode(chainId, marketplace, sessionId, member, orders, salt)) as 0x-hex. */
export function computeCommitment(chainId, marketplace, sessionId, member, words, salt) {
  return toHex(keccak256(encode(
    ["uint256", "address", "uint256", "address", "uint256[]", "bytes32"],
    [BigInt(chainId), marketplace, BigInt(sessionId), member, words.map(BigInt), salt])));
}

/** Collateral an order locks at reveal: ceil(q × (limit for buyers, bond for sellers) / 1000). */
export function collateral(order, bondPerKWh) {
  const x = BigInt(order.wh) * (order.side === "buy" ? BigInt(order.limitPrice) : BigInt(bondPerKWh));
  return (x + 999n) / 1000n;
}

/**
 * Participation word of `participationOf` → {state, …}. The word a cancellation leaves (bit 255 |
 * settled bit) is also the word of a member settled with nothing to collect: it reads as
 * "released" only when the session (`sessionState`, the API's state word) is cancelled.
 */
export function decodeParticipation(word, sessionState) {
  const w = BigInt(word);
  const validated = 1n << 255n;
  if (w === 0n) return { state: "none" };
  if (w & validated) {
    if (w === (validated | 1n) && sessionState === "cancelled") return { state: "released" };
    const settled = (w & 1n) === 1n;
    return { state: settled ? "settled" : "validated", amount: (w & ~validated) >> 2n };
  }
  const flag = w & 3n;
  if (flag === 1n) return { state: "committed", hash: w & ~3n };
  // Revealed: bits 2–159 of the commitment, the collateral locked in bits 160–254.
  if (flag === 2n) return { state: "revealed", hash: w & ((1n << 160n) - 4n), collateral: w >> 160n };
  if (flag === 3n) return { state: "forfeited" };
  return { state: "cleared" };
}

/** The commitment bits the contract keeps (flag bits and bit 255 cleared). */
export function maskedCommitment(hex) {
  return BigInt(hex) & ~(3n | (1n << 255n));
}

export const MEMBER_STATUS = ["none", "pending", "active", "rejected", "suspended"];
export const SESSION_STATE = ["none", "open", "cleared", "validated", "settled", "cancelled"];

/** Every custom error of MarketErrors.sol (enums are uint8 in the ABI). */
const ERRORS = [
  "NotAdmin(address)", "NotOperator(address)", "ZeroAddress()", "AlreadyRegistered(address,uint8)",
  "EmptyDocumentHash()", "InvalidStatusChange(address,uint8,uint8)", "NotActiveMember(address,uint8)",
  "ZeroAmount()", "InsufficientFunds(address,uint256,uint256)", "Reentrancy()", "InvalidSessionParams(string)",
  "PriorSessionNotValidated(uint256,uint8)", "UnknownSession(uint256)", "WrongState(uint256,uint8,uint8)",
  "CommitPhaseOver(uint256,uint64,uint256)", "RevealPhaseNotOpen(uint256,uint64,uint64,uint256)",
  "RevealPhaseNotOver(uint256,uint64,uint256)", "DeliveryNotOver(uint256,uint256,uint256)",
  "AlreadyCommitted(uint256,address)", "NotCommitted(uint256,address)", "ZeroCommitment()",
  "CommitmentMismatch(uint256,address,bytes32)", "NoOrders()", "TooManyOrders(uint256,uint256)",
  "InvalidOrder(uint256,uint256,string)", "SlotOutOfRange(uint256,uint256,uint16)",
  "CollateralTooLarge(address,uint256)", "SignatureExpired(address,uint256,uint256)", "InvalidSignature(address)", "NotRevealed(uint256,address)",
  "InvalidFill(address,uint256,uint256,string)", "FillAboveLimit(address,uint256,uint256,uint256)",
  "FillBelowLimit(address,uint256,uint256,uint256)", "FillExceedsOrder(address,uint256,uint256,uint256)",
  "UnbalancedSlots(uint256,uint256)", "SlotNetOverflow(uint256,uint256)", "WrongPriceCount(uint256,uint256,uint16)",
  "MembersNotCleared(uint256,uint256,uint256)", "FillsMismatch(uint256,address)",
  "WrongDeliveryCount(address,uint256,uint256)", "DeliveredExceedsFill(address,uint256,uint256,uint256)",
  "PenaltyTooHigh(address,uint256,uint256)", "MembersNotValidated(uint256,uint256,uint256)",
  "ValueImbalance(uint256,uint256,uint256)", "NotValidated(uint256,address)", "AlreadySettled(uint256,address)",
  "ValidationStarted(uint256,uint256)",
  // Standard Solidity reverts and the token's.
  "Error(string)", "Panic(uint256)",
];

const bySelector = new Map(ERRORS.map((sig) => [toHex(selector(sig)), sig]));

/** Decodes revert data: {name, args} or null when unknown. */
export function decodeError(data) {
  if (typeof data !== "string" || data.length < 10) return null;
  const sig = bySelector.get(data.slice(0, 10).toLowerCase());
  if (!sig) return null;
  const name = sig.slice(0, sig.indexOf("("));
  const types = sig.slice(sig.indexOf("(") + 1, -1);
  try {
    const args = types ? decode(types.split(","), "0x" + data.slice(10)) : [];
    return { name, args };
  } catch {
    return { name, args: [] };
  }
}
