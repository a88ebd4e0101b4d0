// Kill and extend, shared by the list and the session page.
import { api } from "./api.js";

export const killSession = (id) => api("POST", "/kill", { session_id: id });

export const extendSession = (id, seconds) =>
  api("POST", `/v1/sessions/${id}/extend`, { vm_lifetime_seconds: seconds });
