// The session list: one request (GET /v1/sessions/sandboxes) every few seconds brings every session at once, rows are
// updated in place by id, and the time left ticks locally between refreshes, so 300 sessions cost one call, not 300.
import { api } from "../api.js";
import { duration, h, keyedChildren, replace, shortTime, text, wireTime } from "../dom.js";
import { act, killSession, extendSession } from "../sessionActions.js";

const RefreshMs = 3000;
const Ended = new Set(["killed", "expired", "crashed", "oom", "host_lost", "host_restart"]);

export function sessionsPage(main, onSignedOut) {
  const error = h("p", { class: "error", id: "sessions-error", role: "alert" });
  const status = h("select", { id: "filter-status", onchange: render },
    h("option", { value: "" }, "any status"),
    h("option", { value: "active" }, "active"),
    h("option", { value: "created" }, "created"),
    h("option", { value: "ended" }, "ended"));
  const metadata = h("input", { id: "filter-metadata", placeholder: 'metadata, e.g. {"project":"demo"}', size: 30, onchange: refresh });
  const search = h("input", { id: "filter-id", placeholder: "search by id", oninput: render });
  const count = h("span", { class: "muted", id: "sessions-count" });
  const body = h("tbody", { id: "sessions-body" });
  const rows = keyedChildren(body, (item) => item.sandbox_id, makeRow, fill);
  let items = [];
  let stopped = false;

  main.append(
    createForm(refresh, error),
    h("section", { class: "card" },
      h("div", { class: "row" }, h("h2", {}, "Sessions"), count, status, metadata, search),
      error,
      h("table", { id: "sessions-table" },
        h("thead", {}, h("tr", {}, ["Session", "Status", "Template", "vCPU", "Memory", "Started", "Time left", "Metadata", ""]
          .map((t) => h("th", {}, t)))),
        body)));

  async function refresh() {
    let query = "?limit=1000";
    const filter = metadata.value.trim();
    if (filter) query += `&metadata=${encodeURIComponent(filter)}`;
    try {
      items = await api("GET", `/v1/sessions/sandboxes${query}`);
      text(error, "");
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(error, e.message);
    }
    render();
  }

  function visible(item) {
    const wanted = status.value;
    if (wanted === "ended" && !Ended.has(item.status)) return false;
    if (wanted && wanted !== "ended" && item.status !== wanted) return false;
    const needle = search.value.trim().toLowerCase();
    return !needle || item.sandbox_id.includes(needle);
  }

  function render() {
    const shown = items.filter(visible);
    rows.update(shown);
    text(count, `${shown.length} of ${items.length}`);
  }

  function makeRow(id) {
    const cells = {
      id: h("td", { class: "id" }, h("a", { href: `#/session/${id}` }, id)),
      status: h("td"), template: h("td"), vcpu: h("td"), memory: h("td"), started: h("td"), left: h("td"),
      metadata: h("td", { class: "meta" }), actions: h("td"),
    };
    const extend = h("button", { class: "extend", onclick: () => act(() => extendSession(id, 300), error, refresh) }, "Extend 5 min");
    const kill = h("button", { class: "danger kill", onclick: () => act(() => killSession(id), error, refresh) }, "Kill");
    cells.actions.append(extend, " ", kill);
    const el = h("tr", { "data-session-id": id }, Object.values(cells));
    return { el, cells, extend, kill, item: null };
  }

  function fill(row) {
    const { item, cells } = row;
    text(cells.status, item.status);
    cells.status.className = `status status-${item.status}`;
    text(cells.template, item.template_id);
    text(cells.vcpu, item.vcpu_count ?? "");
    text(cells.memory, item.memory_mb ? `${item.memory_mb} MB` : "");
    text(cells.started, shortTime(item.started_at));
    text(cells.metadata, JSON.stringify(item.metadata ?? {}));
    row.kill.disabled = item.status !== "active";
    tick(row);
  }

  function tick(row) {
    const end = row.item.status === "active" ? wireTime(row.item.end_at) : null;
    text(row.cells.left, end ? duration((end - Date.now()) / 1000) : "—");
  }

  const refresher = setInterval(() => !stopped && refresh(), RefreshMs);
  const ticker = setInterval(() => rows.entries.forEach(tick), 1000);
  refresh();
  return () => {
    stopped = true;
    clearInterval(refresher);
    clearInterval(ticker);
    replace(main);
  };
}

function createForm(onCreated, error) {
  const vcpu = h("input", { id: "create-vcpu", type: "number", min: 1, max: 8, value: 2, size: 3 });
  const memory = h("input", { id: "create-memory", type: "number", min: 128, step: 2, value: 512, size: 6 });
  const lifetime = h("input", { id: "create-lifetime", type: "number", min: 20, max: 86400, value: 300, size: 6 });
  const metadata = h("input", { id: "create-metadata", placeholder: '{"project":"demo"}', size: 24 });
  const result = h("span", { id: "create-result", class: "muted" });
  const button = h("button", { id: "create-session", class: "primary", type: "submit" }, "Create session");
  return h("section", { class: "card" },
    h("form", { class: "row", onsubmit: create },
      h("strong", {}, "New session"),
      h("label", {}, "vCPU ", vcpu), h("label", {}, "Memory MB ", memory), h("label", {}, "Lifetime s ", lifetime),
      h("label", {}, "Metadata ", metadata), button, result));

  async function create(event) {
    event.preventDefault();
    const body = { vcpu_count: Number(vcpu.value), memory_mb: Number(memory.value), vm_lifetime_seconds: Number(lifetime.value) };
    try {
      if (metadata.value.trim()) body.metadata = JSON.parse(metadata.value);
    } catch {
      text(error, "Metadata must be a JSON object");
      return;
    }
    button.disabled = true;
    try {
      const answer = await api("POST", "/v1/sessions/session", body);
      text(result, `created ${answer.session_id}`);
      text(error, "");
      onCreated();
    } catch (e) {
      text(error, e.message);
    } finally {
      button.disabled = false;
    }
  }
}
