// The session's egress policy (read and replace) and the URL of a guest port.
import { api } from "../../api.js";
import { h, text } from "../../dom.js";

export function networkTab(panel, id, { onSignedOut }) {
  const policy = h("textarea", { id: "egress-policy", rows: 8, spellcheck: "false" });
  const saved = h("p", { id: "egress-result", role: "status" });
  const port = h("input", { id: "app-port", type: "number", min: 1, max: 65535, value: 8000, size: 6 });
  const url = h("p", { id: "app-url", class: "id" });
  panel.append(
    h("section", { class: "card" }, h("h3", {}, "Egress policy"), policy,
      h("div", { class: "row" }, h("button", { id: "egress-save", class: "primary", onclick: save }, "Save policy")), saved),
    h("section", { class: "card" }, h("h3", {}, "Guest port URL"),
      h("div", { class: "row" }, h("label", {}, "Port ", port), h("button", { id: "app-url-get", onclick: appUrl }, "Get URL")), url));

  async function load() {
    try {
      const current = await api("GET", `/v1/egress/session/${id}`);
      policy.value = JSON.stringify(current, null, 2);
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(saved, e.message);
    }
  }

  async function save() {
    let body;
    try {
      body = JSON.parse(policy.value);
    } catch {
      return text(saved, "The policy must be JSON");
    }
    try {
      const answer = await api("POST", `/v1/egress/session/${id}`, body);
      policy.value = JSON.stringify(answer, null, 2);
      text(saved, "saved");
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(saved, e.message);
    }
  }

  async function appUrl() {
    try {
      const answer = await api("GET", `/v1/sessions/app-url/${id}?port=${encodeURIComponent(port.value)}`);
      text(url, answer.app_url ?? answer.url ?? JSON.stringify(answer));
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(url, e.message);
    }
  }

  load();
  return () => {};
}
