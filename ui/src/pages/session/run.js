// Run code and see this session's executions with their output. A run goes through /execute_async so it is stored and
// listed like any other; running executions are read again every 700 ms and show their output so far.
import { api } from "../../api.js";
import { h, keyedChildren, replace, shortTime, text } from "../../dom.js";

const PollMs = 700;

export function runTab(panel, id, { onSignedOut, refresh: refreshSession }) {
  const code = h("textarea", { id: "run-code", rows: 5, spellcheck: "false", placeholder: "print(6 * 7)" });
  const language = h("select", { id: "run-language" },
    h("option", { value: "python" }, "Python"), h("option", { value: "bash" }, "bash"));
  const button = h("button", { id: "run-submit", class: "primary", type: "submit" }, "Run");
  const error = h("p", { class: "error", id: "run-error", role: "alert" });
  const list = h("div", { id: "executions" });
  const none = h("p", { class: "muted", hidden: true }, "No executions yet (only runs through /execute_async are kept).");
  const cards = keyedChildren(list, (e) => e.task_id, makeCard, fill);
  let timer = null;
  let stopped = false;

  panel.append(
    h("section", { class: "card" },
      h("form", { onsubmit: submit }, code, h("div", { class: "row" }, language, button)), error),
    h("section", { class: "card" }, h("h3", {}, "Executions"), none, list));

  async function submit(event) {
    event.preventDefault();
    button.disabled = true;
    try {
      await api("POST", "/execute_async", { command: code.value, session_id: id, language: language.value });
      text(error, "");
      await load();
      refreshSession();
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(error, e.message);
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    let page;
    try {
      page = await api("GET", "/v1/executions/?limit=200");
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(error, e.message);
      return;
    }
    const mine = page.executions.filter((e) => e.session_id === id);
    none.hidden = mine.length > 0;
    cards.update(mine);
    schedule(mine.some((e) => !e.is_complete));
  }

  function schedule(running) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(load, running ? PollMs : 5000);
  }

  function makeCard(taskId) {
    const head = h("div", { class: "row" });
    const stdout = h("pre", { class: "stdout" });
    const stderr = h("pre", { class: "stderr" });
    const el = h("div", { class: "execution", "data-task-id": taskId }, head, stdout, stderr);
    return { el, head, stdout, stderr, item: null };
  }

  function fill(entry) {
    const e = entry.item;
    const exit = e.is_complete ? `exit ${e.exit_code ?? "—"}${e.timed_out ? " (timed out)" : ""}` : "running…";
    replace(entry.head, h("strong", {}, e.status), " ", h("span", { class: "muted" }, `${shortTime(e.created_at)} · ${exit}` +
      (e.execution_time !== null && e.execution_time !== undefined ? ` · ${e.execution_time.toFixed(3)} s` : "")));
    text(entry.stdout, e.serialized_stdout);
    entry.stdout.hidden = !e.serialized_stdout;
    text(entry.stderr, e.serialized_stderr);
    entry.stderr.hidden = !e.serialized_stderr;
  }

  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
