// One session: its status and time left, and tabs for its charts, executions, terminal, files and network.
import { api } from "../api.js";
import { duration, h, replace, shortTime, text, wireTime } from "../dom.js";
import { act, killSession, extendSession } from "../sessionActions.js";
import { overviewTab } from "./session/overview.js";
import { runTab } from "./session/run.js";
import { terminalTab } from "./session/terminal.js";
import { filesTab } from "./session/files.js";
import { networkTab } from "./session/network.js";

const Tabs = [
  ["overview", "Overview", overviewTab],
  ["run", "Executions", runTab],
  ["terminal", "Terminal", terminalTab],
  ["files", "Files", filesTab],
  ["network", "Network", networkTab],
];

export function sessionPage(main, id, onSignedOut) {
  const status = h("span", { id: "session-status" });
  const left = h("span", { id: "session-left" });
  const facts = h("span", { class: "muted", id: "session-facts" });
  const metadata = h("code", { id: "session-metadata" });
  const error = h("p", { class: "error", id: "session-error", role: "alert" });
  const tabBar = h("div", { class: "tabs", role: "tablist" });
  const panel = h("div", { id: "session-panel" });
  let info = null;
  let closeTab = null;

  const kill = h("button", { id: "session-kill", class: "danger", onclick: () => act(() => killSession(id), error, refresh) }, "Kill");
  const extend = h("button", { id: "session-extend", onclick: () => act(() => extendSession(id, 300), error, refresh) }, "Extend 5 min");
  main.append(
    h("p", {}, h("a", { href: "#/sessions" }, "← Sessions")),
    h("section", { class: "card" },
      h("div", { class: "row" }, h("h2", { class: "id" }, id)),
      h("div", { class: "row" }, "Status: ", status, " · time left: ", left, " · ", facts, extend, kill),
      h("div", { class: "row" }, "Metadata: ", metadata),
      error),
    tabBar, panel);

  for (const [key, label, make] of Tabs) {
    tabBar.append(h("button", { id: `tab-${key}`, role: "tab", onclick: () => open(key, make) }, label));
  }

  function open(key, make) {
    if (closeTab) closeTab();
    for (const button of tabBar.children) button.classList.toggle("current", button.id === `tab-${key}`);
    replace(panel);
    closeTab = make(panel, id, { onSignedOut, refresh });
  }

  async function refresh() {
    try {
      info = await api("GET", `/v1/sessions/session/${id}`);
      text(error, "");
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(error, e.message);
      return;
    }
    text(status, info.status);
    status.className = `status-${info.status}`;
    text(facts, `${info.vcpu_count} vCPU, ${info.memory_mb} MB, created ${shortTime(info.created_at)}` +
      (info.end_reason ? `, ended: ${info.end_detail ?? info.end_reason}` : ""));
    text(metadata, JSON.stringify(info.metadata ?? {}));
    kill.disabled = info.status !== "active";
    tick();
  }

  function tick() {
    const end = info && info.status === "active" ? wireTime(info.expires_at) : null;
    text(left, end ? duration((end - Date.now()) / 1000) : "—");
  }

  open(...[Tabs[0][0], Tabs[0][2]]);
  refresh();
  const refresher = setInterval(refresh, 5000);
  const ticker = setInterval(tick, 1000);
  return () => {
    clearInterval(refresher);
    clearInterval(ticker);
    if (closeTab) closeTab();
    replace(main);
  };
}
