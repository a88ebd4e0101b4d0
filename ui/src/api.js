// Every call the page makes. The sign-in's cookie (HttpOnly, never readable here) goes along by itself; the CSRF token
// lives in this module's memory only (never in storage or a URL) and goes in a header on every request.
let csrf = null;

export function setCsrf(token) {
  csrf = token;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
  }
}

function describe(status, body) {
  const detail = body && typeof body === "object" ? body.detail : null;
  if (Array.isArray(detail)) return detail.map((d) => (d.loc ? `${d.loc.slice(1).join(".")}: ` : "") + d.msg).join("; ");
  if (typeof detail === "string") return detail;
  return `HTTP ${status}`;
}

/** A JSON request; form is a FormData or URLSearchParams body instead. Answers the parsed JSON (or null). */
export async function api(method, path, body, { form, accept } = {}) {
  const response = await send(method, path, body, { form, accept });
  const textBody = await response.text();
  return textBody ? JSON.parse(textBody) : null;
}

/** The raw response (for downloads and streams); a refusal throws ApiError. */
export async function send(method, path, body, { form, accept } = {}) {
  const headers = {};
  if (csrf) headers["X-Capsule-Csrf"] = csrf;
  if (accept) headers.Accept = accept;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
  if (!response.ok) {
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
    throw new ApiError(response.status, parsed);
  }
  return response;
}
