// Upload into the guest and download from it. A download arrives as bytes and is saved as a file (an attachment):
// guest content is never shown on this origin.
import { api, send } from "../../api.js";
import { h, text } from "../../dom.js";

export function filesTab(panel, id, { onSignedOut }) {
  const file = h("input", { id: "upload-file", type: "file" });
  const folder = h("input", { id: "upload-path", value: "/app/", size: 30 });
  const uploaded = h("p", { id: "upload-result", role: "status" });
  const path = h("input", { id: "download-path", placeholder: "/app/data.csv", size: 40 });
  const downloaded = h("p", { id: "download-result", role: "status" });
  panel.append(
    h("section", { class: "card" }, h("h3", {}, "Upload"),
      h("form", { class: "row", onsubmit: upload }, file, h("label", {}, "to ", folder),
        h("button", { id: "upload-submit", class: "primary", type: "submit" }, "Upload")), uploaded),
    h("section", { class: "card" }, h("h3", {}, "Download"),
      h("form", { class: "row", onsubmit: download }, path,
        h("button", { id: "download-submit", type: "submit" }, "Download")), downloaded));

  async function upload(event) {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return text(uploaded, "Choose a file first");
    const form = new FormData();
    form.append("session_id", id);
    form.append("remote_path", folder.value.endsWith("/") ? folder.value + chosen.name : folder.value);
    form.append("file", chosen, chosen.name);
    text(uploaded, "uploading…");
    try {
      const answer = await api("POST", "/upload", undefined, { form });
      text(uploaded, `uploaded ${answer.size ?? chosen.size} bytes to ${answer.remote_path}`);
      if (!path.value) path.value = answer.remote_path;
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(uploaded, `upload failed: ${e.message}`);
    }
  }

  async function download(event) {
    event.preventDefault();
    const form = new URLSearchParams({ session_id: id, filename: path.value });
    text(downloaded, "downloading…");
    try {
      const response = await send("POST", "/download", undefined, { form, accept: "application/octet-stream" });
      const blob = await response.blob();
      const name = path.value.split("/").filter(Boolean).pop() || "download";
      const link = h("a", { href: URL.createObjectURL(blob), download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      text(downloaded, `downloaded ${blob.size} bytes as ${name}`);
    } catch (e) {
      if (e.status === 401) return onSignedOut();
      text(downloaded, `download failed: ${e.message}`);
    }
  }
  return () => {};
}
