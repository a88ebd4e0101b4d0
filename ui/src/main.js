// The dashboard's shell: sign-in state, the navigation, and a hash router (#/sessions, #/session/<id>, #/keys, #/host).
import "@xterm/xterm/css/xterm.css";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { api, setCsrf } from "./api.js";
import { h, replace } from "./dom.js";
import { signinPage } from "./pages/signin.js";
import { sessionsPage } from "./pages/sessions.js";
import { sessionPage } from "./pages/session.js";
import { keysPage } from "./pages/keys.js";
import { hostPage } from "./pages/host.js";

const root = document.getElementById("app");
let me = null;
let leave = null; // the current page's clean-up (timers, sockets)

async function start() {
  try {
    me = await api("GET", "/ui/api/me");
    setCsrf(me.csrf_token);
  } catch {
    me = null;
  }
  window.addEventListener("hashchange", route);
  route();
}

function signedIn(answer) {
  me = answer;
  setCsrf(answer.csrf_token);
  if (!location.hash || location.hash === "#/signin") location.hash = "#/sessions";
  else route();
}

async function signOut() {
  try {
    await api("POST", "/ui/api/signout");
  } finally {
    me = null;
    setCsrf(null);
    location.hash = "#/signin";
    route();
  }
}

function nav(current) {
  const link = (href, label, id) =>
    h("a", { href, id, class: current === href ? "current" : "" }, label);
  return h("header", { class: "top" },
    h("strong", { class: "brand" }, "Capsule"),
    h("nav", {},
      link("#/sessions", "Sessions", "nav-sessions"),
      me.is_admin && link("#/keys", "Keys", "nav-keys"),
      me.is_admin && link("#/host", "Host", "nav-host")),
    h("span", { class: "who", id: "signed-in-as" }, me.key_id, me.is_admin ? " (admin)" : ""),
    h("button", { id: "signout", onclick: signOut }, "Sign out"));
}

function route() {
  if (leave) {
    leave();
    leave = null;
  }
  if (!me) {
    replace(root, signinPage(signedIn));
    return;
  }
  const hash = location.hash || "#/sessions";
  const main = h("main");
  let current = "#/sessions";
  const session = /^#\/session\/([0-9a-fA-F-]{36})$/.exec(hash);
  const lost = () => {
    me = null;
    route();
  };
  if (session) leave = sessionPage(main, session[1], lost);
  else if (hash === "#/keys" && me.is_admin) {
    current = hash;
    leave = keysPage(main, me, lost);
  } else if (hash === "#/host" && me.is_admin) {
    current = hash;
    leave = hostPage(main, lost);
  } else leave = sessionsPage(main, lost);
  replace(root, nav(current), main);
}

start();
