// The EIP-1193 wallet (window.ethereum): accounts, chain, calls and transactions with their
// errors explained (rejected by the user, wrong chain, reverted with a decoded custom error).
import { decodeError } from "./market.js";

/** A failure the page explains to the member: `key` names an i18n message, `params` fill it. */
export class PortalError extends Error {
  constructor(key, params = {}, cause) {
    super(key + (params.detail ? ": " + params.detail : ""));
    this.key = key;
    this.params = params;
    this.cause = cause;
  }
}

function provider() {
  const eth = globalThis.ethereum;
  if (!eth || typeof eth.request !== "function") throw new PortalError("err.noWallet");
  return eth;
}

/** Finds revert data (0x + selector…) anywhere in a wallet's error object. */
function revertData(error, depth = 0) {
  if (!error || depth > 4) return null;
  if (typeof error === "string") return /^0x[0-9a-fA-F]{8,}$/.test(error) ? error : null;
  if (typeof error !== "object") return null;
  for (const key of ["data", "error", "originalError", "cause", "info"]) {
    const found = revertData(error[key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** Turns a wallet/node error into a PortalError. */
export function explain(error) {
  if (error instanceof PortalError) return error;
  const code = error && (error.code ?? error?.error?.code);
  if (code === 4001) return new PortalError("err.rejected", {}, error);
  if (code === 4100) return new PortalError("err.unauthorized", {}, error);
  if (code === -32002) return new PortalError("err.pendingRequest", {}, error);
  const data = revertData(error);
  if (data) {
    const decoded = decodeError(data);
    if (decoded) return new PortalError("err.reverted", { name: decoded.name, args: decoded.args.map(String).join(", "), decoded }, error);
    return new PortalError("err.revertedUnknown", { detail: data.slice(0, 10) }, error);
  }
  const message = (error && (error.message || error?.error?.message)) || String(error);
  if (/revert/i.test(message)) return new PortalError("err.revertedUnknown", { detail: message }, error);
  return new PortalError("err.wallet", { detail: message }, error);
}

export async function request(method, params) {
  try {
    return await provider().request(params === undefined ? { method } : { method, params });
  } catch (error) {
    throw explain(error);
  }
}

export async function requestAccounts() {
  return request("eth_requestAccounts");
}

export async function accounts() {
  return request("eth_accounts");
}

export async function chainId() {
  return BigInt(await request("eth_chainId"));
}

/** Subscribes to accountsChanged / chainChanged when the wallet emits them. */
export function onChange(handler) {
  const eth = globalThis.ethereum;
  if (!eth || typeof eth.on !== "function") return;
  eth.on("accountsChanged", (list) => handler("accounts", list));
  eth.on("chainChanged", (id) => handler("chain", id));
}

/** eth_call; returns the 0x-hex result. */
export async function call(to, data, from, block = "latest") {
  const tx = { to, data };
  if (from) tx.from = from;
  return request("eth_call", [tx, block]);
}

/** The latest block's timestamp (chain time), in unix seconds. */
export async function chainTime() {
  const block = await request("eth_getBlockByNumber", ["latest", false]);
  return Number(BigInt(block.timestamp));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a transaction from `from` and waits for its receipt. A call that would revert is
 * refused before the wallet is asked (the decoded error tells why); a mined failure is
 * explained from the replayed call. `onSent(hash)` is told once the wallet has sent it.
 */
export async function send(from, to, data, onSent) {
  await call(to, data, from); // throws the decoded revert
  const hash = await request("eth_sendTransaction", [{ from, to, data }]);
  if (onSent) onSent(hash);
  for (let i = 0; i < 600; i++) {
    const receipt = await request("eth_getTransactionReceipt", [hash]);
    if (receipt) {
      if (BigInt(receipt.status) === 1n) return receipt;
      const before = "0x" + (BigInt(receipt.blockNumber) - 1n).toString(16);
      try {
        await call(to, data, from, before);
      } catch (error) {
        throw error;
      }
      throw new PortalError("err.failedTx", { detail: hash });
    }
    await sleep(i < 20 ? 250 : 1000);
  }
  throw new PortalError("err.timeout", { detail: hash });
}
