// The test wallet's EIP-1193 provider, injected before any page script runs
// (Page.addScriptToEvaluateOnNewDocument). It forwards each request to the loopback signer
// proxy (wallet_proxy.py); errors keep their EIP-1193/JSON-RPC code and data.
(() => {
  const url = "__PROXY_URL__";
  const listeners = {};
  let ids = 0;
  const provider = {
    isCerTestWallet: true,
    async request({ method, params }) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++ids, method, params: params || [] }),
      });
      const body = await response.json();
      if (body.error) {
        const error = new Error(body.error.message);
        error.code = body.error.code;
        error.data = body.error.data;
        throw error;
      }
      return body.result;
    },
    on(event, listener) { (listeners[event] = listeners[event] || []).push(listener); return provider; },
    removeListener(event, listener) {
      listeners[event] = (listeners[event] || []).filter((l) => l !== listener);
      return provider;
    },
    emit(event, value) { for (const l of listeners[event] || []) l(value); },
  };
  window.ethereum = provider;
  // Content-Security-Policy violations (an inline script or handler, eval…) are collected for
  // the tests: every page load fails when there is one.
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
  });
})();
