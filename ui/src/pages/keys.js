// API keys (admin keys only): list, create (the key is shown once, here), revoke.
import { api } from "../api.js";
import { h, replace, shortTime, text } from "../dom.js";

export function keysPage(main, me, onSignedOut) {
  const description = h("input", { id: "key-description", placeholder: "description", size: 30 });
  const admin = h("input", { id: "key-admin", type: "checkbox" });
  const created = h("div", { id: "key-created" });
  const error = h("p", { class: "error", id: "keys-error", role: "alert" });
  const body = h("tbody", { id: "keys-body" });
  main.append(
    h("section", { class: "card" }, h("h2", {}, "New key"),
      h("form", { class: "row", onsubmit: create }, description, h("label", {}, admin, " admin"),
        h("button", { id: "key-create", class: "primary", type: "submit" }, "Create key")), created, error),
    h("section", { class: "card" }, h("h2", {}, "Keys"),
      h("table", { id: "keys-table" },
        h("thead", {}, h("tr", {}, ["Id", "Prefix", "Description", "Admin", "Created", "Revoked", ""].map((t) => h("th", {}, t)))),
        body)));

  async function load() {
    try {
      const keys = await api("GET", "/v1/api-keys/");
      replace(body, keys.map((k) => h("tr", { "data-key-id": k.id },
        h("td", { class: "id" }, k.id), h("td", { class: "id" }, k.key_prefix), h("td", {}, k.description),
        h("td", {}, k.is_admin ? "yes" : ""), h("td", {}, shortTime(k.created_at)), h("td", {}, shortTime(k.revoked_at)),
        h("td", {}, k.revoked_at || k.id === me.key_id ? "" :
          h("button", { class: "danger", onclick: () => revoke(k.id) }, "Revoke")))));
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(error, e.message);
    }
  }

  async function create(event) {
    event.preventDefault();
    try {
      const answer = await api("POST", "/v1/api-keys/", { description: description.value, is_admin: admin.checked });
      replace(created, h("p", {}, "The new key, shown only now:"), h("p", { class: "secret", id: "key-secret" }, answer.api_key));
      description.value = "";
      text(error, "");
      load();
    } catch (e) {
      text(error, e.message);
    }
  }

  async function revoke(id) {
    try {
      await api("DELETE", `/v1/api-keys/${id}`);
      load();
    } catch (e) {
      text(error, e.message);
    }
  }

  load();
  return () => replace(main);
}
