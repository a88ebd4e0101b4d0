// The only way the dashboard makes elements. Strings always become text nodes (never HTML), so whatever a guest or a
// user controls (metadata, output, file names) shows as text.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "value") el.value = value;
    else if (name === "checked") el.checked = !!value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces everything inside el with children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function text(el, value) {
  el.textContent = value ?? "";
  return el;
}

/** "4m 12s" from seconds; "—" for null. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** The server's wire times are UTC without a zone ("2025-01-10T12:34:56"). */
export function wireTime(value) {
  if (!value) return null;
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : value + "Z");
}

export function shortTime(value) {
  const t = wireTime(value);
  return t ? t.toLocaleString() : "—";
}

/**
 * Keeps container's children in the order of the items given to update(), one element per key: made once by
 * make(key) (an object whose el is the element), refreshed by fill(entry) with entry.item set, removed when its key is
 * gone. Lists refresh in place, so a list of hundreds does not rebuild (and lose focus or scroll) on every poll.
 */
export function keyedChildren(container, keyOf, make, fill) {
  const entries = new Map();
  return {
    entries,
    update(items) {
      const seen = new Set();
      items.forEach((item, index) => {
        const key = keyOf(item);
        seen.add(key);
        let entry = entries.get(key);
        if (!entry) {
          entry = make(key);
          entries.set(key, entry);
        }
        entry.item = item;
        fill(entry);
        if (container.children[index] !== entry.el) container.insertBefore(entry.el, container.children[index] ?? null);
      });
      for (const [key, entry] of entries) {
        if (!seen.has(key)) {
          entry.el.remove();
          entries.delete(key);
        }
      }
    },
  };
}
