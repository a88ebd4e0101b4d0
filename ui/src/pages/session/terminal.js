// A shell in the guest: xterm.js over the PTY attach WebSocket. The browser cannot set X-API-Key on a WebSocket, so it
// asks for a one-time token (POST …/token, with the sign-in's cookie and CSRF header) and opens attach_url with it.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { api } from "../../api.js";
import { h, text } from "../../dom.js";

export function terminalTab(panel, id, { onSignedOut, refresh }) {
  const box = h("div", { class: "terminal", id: "terminal" });
  const state = h("span", { class: "muted", id: "terminal-state" }, "connecting…");
  const error = h("p", { class: "error", id: "terminal-error", role: "alert" });
  panel.append(h("section", { class: "card" }, h("div", { class: "row" }, h("h3", {}, "Terminal"), state), error, box));

  const term = new Terminal({ cursorBlink: true, fontSize: 13, scrollback: 5000, convertEol: false });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(box);
  fit.fit();
  let socket = null;
  let ptyId = null;
  let closed = false;
  const encoder = new TextEncoder();

  async function connect() {
    try {
      const pty = await api("POST", `/v1/sessions/${id}/pty/sessions`, { cols: term.cols, rows: term.rows });
      ptyId = pty.pty_id;
      refresh();
      const grant = await api("POST", `/v1/sessions/${id}/pty/sessions/${ptyId}/token`);
      if (closed) return;
      const url = new URL(grant.attach_url, location.href);
      url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
      url.host = location.host;
      socket = new WebSocket(url);
      socket.binaryType = "arraybuffer";
      socket.onopen = () => {
        text(state, `attached to ${ptyId}`);
        term.focus();
      };
      socket.onmessage = (message) => {
        if (typeof message.data === "string") {
          const event = JSON.parse(message.data);
          if (event.type === "exit") text(state, `the shell exited with ${event.exit_code}`);
          return;
        }
        term.write(new Uint8Array(message.data));
      };
      socket.onclose = (event) => {
        if (!closed && !/exited/.test(state.textContent)) text(state, `disconnected (${event.code})`);
      };
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(state, "not connected");
      text(error, e.message);
    }
  }

  term.onData((data) => socket?.readyState === WebSocket.OPEN && socket.send(encoder.encode(data)));
  term.onResize(({ cols, rows }) =>
    socket?.readyState === WebSocket.OPEN && socket.send(JSON.stringify({ type: "resize", cols, rows })));
  const onWindowResize = () => fit.fit();
  window.addEventListener("resize", onWindowResize);
  connect();

  return () => {
    closed = true;
    window.removeEventListener("resize", onWindowResize);
    socket?.close(1000);
    if (ptyId) api("DELETE", `/v1/sessions/${id}/pty/sessions/${ptyId}`).catch(() => {});
    term.dispose();
  };
}
