// What the page knows, shared by the views.
export const state = {
  info: null,          // /api/v1/info
  account: null,       // the wallet's selected address (EIP-55)
  chainId: null,       // the wallet's chain id (BigInt)
  chainOk: false,      // wallet chain == the server's chain id
  marketplace: null,
  token: null,
  decimals: null,     // token decimals: null until /info, the session or the token says
  symbol: "",
  chainOffset: 0,      // chain time − local clock, seconds
  sessions: [],        // SessionSummary items
  sessionId: null,     // the selected session's id (API id)
  session: null,       // its detail
  memberStatus: null,  // "none" | "pending" | …
  selfCheck: null,     // "<chainId>/<marketplace>" whose fixed commitment vector matched the contract
};

/** The chain ids a wrong-chain or blocked-session message names: the server's and the wallet's. */
export function chainParams() {
  return { expected: String(state.info?.chainId ?? "—"), actual: String(state.chainId ?? "—") };
}
