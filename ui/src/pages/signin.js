// Sign-in: the key is sent once to /ui/api/signin and forgotten; the browser keeps only the HttpOnly cookie.
import { api } from "../api.js";
import { h, text } from "../dom.js";

export function signinPage(onSignedIn) {
  const key = h("input", { id: "signin-key", type: "password", autocomplete: "off", placeholder: "capsule_sk_…", required: true });
  const error = h("p", { id: "signin-error", class: "error", role: "alert" });
  const button = h("button", { id: "signin-submit", type: "submit" }, "Sign in");
  const form = h("form", { class: "signin", onsubmit: submit },
    h("h1", {}, "Capsule"),
    h("label", {}, "API key", key),
    button, error,
    h("p", { class: "muted" }, "The key is exchanged for a browser session; it is not stored in this page."));

  async function submit(event) {
    event.preventDefault();
    text(error, "");
    button.disabled = true;
    try {
      const answer = await api("POST", "/ui/api/signin", { api_key: key.value });
      key.value = "";
      onSignedIn(answer);
    } catch (e) {
      text(error, `Sign-in failed: ${e.message}`);
    } finally {
      button.disabled = false;
    }
  }
  return form;
}
