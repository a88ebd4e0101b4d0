// The host (admin keys only): accelerator and why, network, capacity and its use, warm pools, running machines.
import { api } from "../api.js";
import { h, replace, text } from "../dom.js";

export function hostPage(main, onSignedOut) {
  const facts = h("dl", { class: "facts", id: "host-facts" });
  const pools = h("tbody", { id: "host-pools" });
  const error = h("p", { class: "error", id: "host-error", role: "alert" });
  main.append(
    h("section", { class: "card" }, h("h2", {}, "Host"), facts, error),
    h("section", { class: "card" }, h("h2", {}, "Warm pool"),
      h("table", {}, h("thead", {}, h("tr", {}, ["vCPU", "Ready", "Target"].map((t) => h("th", {}, t)))), pools)));

  async function load() {
    let host;
    try {
      host = await api("GET", "/ui/api/host");
      text(error, "");
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(error, e.message);
      return;
    }
    const c = host.capacity;
    const rows = [
      ["Version", host.version], ["Accelerator", `${host.accelerator}: ${host.accelerator_reason}`],
      ["Network", `${host.network ? "slots" : "none"}: ${host.network_reason}`],
      ["Sessions with a VM", host.sessions_active], ["Machines running", host.machines_running],
      ["Machines (of max)", `${c.machines} of ${c.max_machines} (${c.pooled_machines} pooled)`],
      ["Memory committed", `${c.memory_committed_mb} of ${c.memory_limit_mb} MB (overcommit ${c.memory_overcommit_ratio}×)`],
      ["Host memory", `${c.host_memory_available_mb} MB available of ${c.host_memory_total_mb} MB (keeps ${c.min_host_available_memory_mb} MB free)`],
    ];
    replace(facts, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]));
    replace(pools, host.warm_pool.map((p) => h("tr", {}, h("td", {}, p.vcpu_count), h("td", {}, p.ready), h("td", {}, p.target))));
  }

  load();
  const timer = setInterval(load, 3000);
  return () => {
    clearInterval(timer);
    replace(main);
  };
}
