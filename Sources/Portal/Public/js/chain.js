// Reads and writes of the marketplace and its token through the wallet.
import { encodeCall, decode } from "./abi.js";
import { call, send } from "./wallet.js";
import { MEMBER_STATUS } from "./market.js";

export async function member(market, address) {
  const [status, registeredAt, hash] = decode(["uint8", "uint64", "bytes32"], await call(market, encodeCall("members(address)", [address])));
  return { status: MEMBER_STATUS[Number(status)] || "none", registeredAt: Number(registeredAt), adhesionHash: hash };
}

export async function funds(market, address) {
  const [available, locked] = decode(["uint256", "uint256"], await call(market, encodeCall("checkFunds(address)", [address])));
  return { available, locked };
}

export async function participation(market, sessionId, address) {
  const [word] = decode(["uint256"], await call(market, encodeCall("participationOf(uint256,address)", [BigInt(sessionId), address])));
  return word;
}

/**
 * The contract's computeCommitment through eth_call. Only ever called with the FIXED self-check
 * vector (market.js SELF_CHECK): a member's real orders and salt must not leave the browser
 * before the reveal, and an eth_call hands them to the wallet and its node.
 */
export async function commitmentOnChain(market, sessionId, address, words, salt) {
  const data = encodeCall("computeCommitment(uint256,address,uint256[],bytes32)", [BigInt(sessionId), address, words, salt]);
  return decode(["bytes32"], await call(market, data))[0];
}

export async function tokenOf(market) {
  return decode(["address"], await call(market, encodeCall("token()")))[0];
}

export async function balanceOf(token, address) {
  return decode(["uint256"], await call(token, encodeCall("balanceOf(address)", [address])))[0];
}

export async function allowance(token, owner, spender) {
  return decode(["uint256"], await call(token, encodeCall("allowance(address,address)", [owner, spender])))[0];
}

export async function decimals(token) {
  return Number(decode(["uint8"], await call(token, encodeCall("decimals()")))[0]);
}

export const tx = {
  register: (from, market, hash, onSent) => send(from, market, encodeCall("registerUser(bytes32)", [hash]), onSent),
  commit: (from, market, sessionId, commitment, onSent) =>
    send(from, market, encodeCall("submitCommitments(uint256,bytes32)", [BigInt(sessionId), commitment]), onSent),
  reveal: (from, market, sessionId, words, salt, onSent) =>
    send(from, market, encodeCall("revealOrders(uint256,uint256[],bytes32)", [BigInt(sessionId), words, salt]), onSent),
  execute: (from, market, sessionId, onSent) => send(from, market, encodeCall("execute(uint256)", [BigInt(sessionId)]), onSent),
  approve: (from, token, spender, amount, onSent) => send(from, token, encodeCall("approve(address,uint256)", [spender, amount]), onSent),
  deposit: (from, market, amount, onSent) => send(from, market, encodeCall("deposit(uint256)", [amount]), onSent),
  withdraw: (from, market, amount, onSent) => send(from, market, encodeCall("claimAvailableFunds(uint256)", [amount]), onSent),
  withdrawAll: (from, market, onSent) => send(from, market, encodeCall("withdrawAllFunds()"), onSent),
};
