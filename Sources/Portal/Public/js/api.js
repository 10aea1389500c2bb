// The server's JSON API (docs/openapi.yaml). Errors are problem+json: {title, status, detail}.
import { PortalError } from "./wallet.js";

async function get(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" }, ...options });
  } catch (error) {
    throw new PortalError("err.server", { detail: String(error.message || error) });
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    const detail = (body && (body.detail || body.title)) || `HTTP ${response.status}`;
    const error = new PortalError("err.api", { detail, status: response.status });
    error.status = response.status;
    throw error;
  }
  return body;
}

export const api = {
  info: () => get("/api/v1/info"),
  sessions: (limit = 20) => get(`/api/v1/sessions?limit=${limit}`),
  session: (id) => get(`/api/v1/sessions/${encodeURIComponent(id)}`),
  results: (id, member) => get(`/api/v1/sessions/${encodeURIComponent(id)}/results` + (member ? `?member=${member}` : "")),
  report: (id) => get(`/api/v1/sessions/${encodeURIComponent(id)}/report`),
  members: (status, cursor) => {
    const q = new URLSearchParams({ limit: "500" });
    if (status) q.set("status", status);
    if (cursor) q.set("cursor", cursor);
    return get(`/api/v1/members?${q}`);
  },
  member: (address) => get(`/api/v1/members/${address}`),
  admin: (address, action, token) =>
    get(`/api/v1/admin/members/${address}/${action}`, {
      method: "POST",
      headers: { Accept: "application/json", Authorization: `Bearer ${token}` },
    }),
};
