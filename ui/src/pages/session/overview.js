// CPU and memory over time, from the guest's own counters (GET /v1/sessions/usage every 2 s while the tab is open).
import uPlot from "uplot";
import { api } from "../../api.js";
import { h, replace, text } from "../../dom.js";

const EveryMs = 2000;
const Points = 180;

export function overviewTab(panel, id, { onSignedOut }) {
  const facts = h("dl", { class: "facts", id: "usage-facts" });
  const cpuBox = h("div", { id: "chart-cpu" });
  const memoryBox = h("div", { id: "chart-memory" });
  const note = h("p", { class: "muted" });
  panel.append(h("section", { class: "card" }, h("h3", {}, "Usage"), facts, note),
    h("section", { class: "card charts" }, cpuBox, memoryBox));

  const times = [], cpu = [], memory = [];
  const size = { width: 560, height: 220 };
  const cpuChart = new uPlot({ ...size, title: "Guest CPU (% of one vCPU)", scales: { x: { time: true } },
    series: [{}, { label: "CPU %", stroke: "#2f5bd3", width: 2 }] }, [times, cpu], cpuBox);
  const memoryChart = new uPlot({ ...size, title: "Guest memory used (MB)", scales: { x: { time: true } },
    series: [{}, { label: "MB", stroke: "#1b7f3b", width: 2 }] }, [times, memory], memoryBox);
  let last = null;

  async function sample() {
    let usage;
    try {
      usage = await api("GET", `/v1/sessions/usage/${id}`);
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(note, e.message);
      return;
    }
    const rows = [
      ["VM", usage.vm_status ?? "none yet"], ["Executions", usage.executions_count],
      ["CPU time of executions", `${usage.cpu_time_seconds.toFixed(2)} s`],
      ["Memory", `${usage.memory_used_mb ?? "—"} of ${usage.memory_mb} MB`],
      ["Uptime", usage.uptime_seconds === null ? "—" : `${Math.round(usage.uptime_seconds)} s`],
      ["Network in / out", usage.network_rx_bytes === null ? "—" : `${usage.network_rx_bytes} / ${usage.network_tx_bytes} bytes`],
      ["Egress refused", usage.network_denied ?? "—"],
    ];
    replace(facts, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]));
    const now = Date.now() / 1000;
    if (usage.guest_cpu_seconds === null || usage.memory_used_mb === null) {
      text(note, "No running VM: the charts resume when one runs.");
      last = null;
      return;
    }
    text(note, "");
    if (last) {
      const percent = Math.max(0, ((usage.guest_cpu_seconds - last.cpu) / (now - last.at)) * 100);
      times.push(now);
      cpu.push(Math.round(percent * 10) / 10);
      memory.push(usage.memory_used_mb);
      if (times.length > Points) [times, cpu, memory].forEach((a) => a.shift());
      cpuChart.setData([times, cpu]);
      memoryChart.setData([times, memory]);
      cpuBox.dataset.points = memoryBox.dataset.points = String(times.length);
    }
    last = { cpu: usage.guest_cpu_seconds, at: now };
  }

  sample();
  const timer = setInterval(sample, EveryMs);
  return () => {
    clearInterval(timer);
    cpuChart.destroy();
    memoryChart.destroy();
  };
}
