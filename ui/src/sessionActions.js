// Kill and extend, shared by the list and the session page.
import { api } from "./api.js";
import { text } from "./dom.js";

export const killSession = (id) => api("POST", "/kill", { session_id: id });

export const extendSession = (id, seconds) =>
  api("POST", `/v1/sessions/${id}/extend`, { vm_lifetime_seconds: seconds });

/** Runs an action; its refusal shows in error (cleared on success); then after() refreshes the view either way. */
export async function act(action, error, after) {
  try {
    await action();
    text(error, "");
  } catch (e) {
    text(error, e.message);
  }
  after();
}
