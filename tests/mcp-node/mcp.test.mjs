// Capsule's MCP server driven by a client nobody here wrote: the official TypeScript SDK, over Streamable HTTP
// (/mcp on the server) and over stdio (`capsule mcp`). Starts the built server itself (a temp data dir, a free
// loopback port) and stops it at the end. The tests that run code need VMs: they are skipped, with the reason,
// when QEMU or the guest image is missing. Run with `npm test` here, or by scripts/run-tests.sh.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const configuration = process.env.CONFIGURATION || "Release";
const serverDll = join(root, "src", "Capsule.Server", "bin", configuration, "net10.0", "Capsule.Server.dll");
const cliDll = join(root, "src", "Capsule.Cli", "bin", configuration, "net10.0", "capsule.dll");
const imageDir = process.env.CAPSULE_IMAGE_DIR || join(root, "artifacts", "guest");
const vmBound = 5 * 60_000;

function vmMissingReason() {
  const onPath = (p) => (process.env.PATH || "").split(delimiter).some((d) => existsSync(join(d, p)));
  if (!onPath("qemu-system-x86_64")) return "qemu-system-x86_64 is not installed (run `make test`, which installs it)";
  for (const f of ["vmlinuz", "initrd.img", "rootfs.ext4"]) {
    if (!existsSync(join(imageDir, f))) return `guest image missing: ${join(imageDir, f)} (run guest/build-image.sh)`;
  }
  return null;
}

const vmSkip = vmMissingReason();

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** The built server as a child process; resolves once /health answers and admin.key exists. */
async function startServer() {
  assert.ok(existsSync(serverDll), `the server is not built: ${serverDll}`);
  const dataDir = mkdtempSync(join(tmpdir(), "capsule-mcp-node-"));
  const url = `http://127.0.0.1:${await freePort()}`;
  const log = [];
  const child = spawn("dotnet", [serverDll], {
    cwd: root,
    env: { ...process.env, CAPSULE_DATA_DIR: dataDir, CAPSULE_URL: url, CAPSULE_IMAGE_DIR: imageDir, DOTNET_EnableDiagnostics: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d) => log.push(String(d)));
  child.stderr.on("data", (d) => log.push(String(d)));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${log.join("")}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok && existsSync(join(dataDir, "admin.key"))) {
        return { url, dataDir, child, log, adminKey: readFileSync(join(dataDir, "admin.key"), "utf8").trim() };
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill("SIGKILL");
  throw new Error(`the server did not become healthy:\n${log.join("")}`);
}

async function stopServer(server) {
  if (!server) return;
  if (server.child.exitCode === null) {
    const exited = new Promise((ok) => server.child.once("exit", ok));
    server.child.kill("SIGTERM");
    const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
    if (!stopped) {
      server.child.kill("SIGKILL");
      await exited;
    }
  }
  rmSync(server.dataDir, { recursive: true, force: true });
}

const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("");
const sessionIdOf = (result) => /session_id: (\S+)/.exec(text(result))[1];

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await stopServer(server);
});

/** A connected client over Streamable HTTP (the key in X-API-Key) or stdio (`capsule mcp` as a child process). */
async function connect(kind, apiKey = server.adminKey) {
  const client = new Client({ name: "capsule-node-test", version: "1.0.0" });
  let transport;
  if (kind === "http") {
    transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { "X-API-Key": apiKey } } });
  } else {
    assert.ok(existsSync(cliDll), `the CLI is not built: ${cliDll}`);
    transport = new StdioClientTransport({
      command: "dotnet",
      args: [cliDll, "mcp"],
      env: { ...process.env, CAPSULE_URL: server.url, CAPSULE_API_KEY: apiKey, DOTNET_EnableDiagnostics: "0" },
      stderr: "pipe",
    });
  }
  await client.connect(transport);
  return {
    client,
    call: (name, args, timeout = 60_000) => client.callTool({ name, arguments: args }, undefined, { timeout }),
    async close() {
      if (kind === "http") await transport.terminateSession();
      await client.close();
    },
  };
}

test("http: a request without a key is refused with 401", async () => {
  const r = await fetch(`${server.url}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0", id: 1, method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });
  assert.equal(r.status, 401);
  await assert.rejects(connect("http", "capsule_sk_wrong"));
});

for (const kind of ["http", "stdio"]) {
  describe(kind, () => {
    test("lists the tools with their schemas", async () => {
      const mcp = await connect(kind);
      try {
        const { tools } = await mcp.client.listTools();
        assert.deepEqual(tools.map((t) => t.name).sort(),
          ["create_sandbox", "download_file", "extend_sandbox", "kill_sandbox", "list_sandboxes", "run_code", "upload_file"]);
        const runCode = tools.find((t) => t.name === "run_code");
        assert.deepEqual(runCode.inputSchema.required, ["code"]);
        assert.ok(runCode.inputSchema.properties.language);
        assert.ok(runCode.inputSchema.properties.session_id);
      } finally {
        await mcp.close();
      }
    });

    test("an unknown session is an isError result, not a protocol error", async () => {
      const mcp = await connect(kind);
      try {
        const result = await mcp.call("run_code", { code: "1", session_id: "00000000-0000-0000-0000-000000000000" });
        assert.equal(result.isError, true);
        assert.match(text(result), /^Sandbox 00000000-0000-0000-0000-000000000000 does not exist for this API key/);
      } finally {
        await mcp.close();
      }
    });

    test("runs print(6*7), keeps Python state, moves a file by hash, reports a timeout", { skip: vmSkip ?? false }, async () => {
      const mcp = await connect(kind);
      try {
        const first = await mcp.call("run_code", { code: "print(6*7)", language: "python" }, vmBound);
        assert.notEqual(first.isError, true, text(first));
        assert.match(text(first), /--- stdout ---\n42\n/);

        await mcp.call("run_code", { code: "x = 41" }, vmBound);
        const state = await mcp.call("run_code", { code: "print(x + 1)" }, vmBound);
        assert.match(text(state), /--- stdout ---\n42\n/);
        assert.equal(sessionIdOf(state), sessionIdOf(first));

        const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
        const sha = createHash("sha256").update(bytes).digest("hex");
        const up = await mcp.call("upload_file", { path: "blob.bin", content: bytes.toString("base64"), encoding: "base64" });
        assert.notEqual(up.isError, true, text(up));
        const inGuest = await mcp.call("run_code", { code: "import hashlib; print(hashlib.sha256(open('/app/blob.bin','rb').read()).hexdigest())" }, vmBound);
        assert.match(text(inGuest), new RegExp(`--- stdout ---\\n${sha}\\n`));
        const down = await mcp.call("download_file", { path: "/app/blob.bin", encoding: "base64" });
        assert.equal(createHash("sha256").update(Buffer.from(text(down), "base64")).digest("hex"), sha);

        const slow = await mcp.call("run_code", { code: "import time\nprint('partial', flush=True)\ntime.sleep(60)", timeout: 3 }, vmBound);
        assert.equal(slow.isError, true);
        assert.match(text(slow), /^The code timed out after 3 s/);
        assert.match(text(slow), /partial/);
      } finally {
        await mcp.close();
      }
    });

    test("a cancelled run_code stops the guest code", { skip: vmSkip ?? false }, async () => {
      const mcp = await connect(kind);
      try {
        await mcp.call("run_code", { code: "print('warm')" }, vmBound);
        const abort = new AbortController();
        const running = mcp.client.callTool({ name: "run_code", arguments: { code: "import time\ntime.sleep(300)", timeout: 600 } },
          undefined, { signal: abort.signal, timeout: vmBound });
        await sleep(2000);
        abort.abort();
        await assert.rejects(running);
        // The interpreter is free again only if the sleep was stopped: otherwise this waits behind it and times out.
        const after = await mcp.call("run_code", { code: "print('after')", timeout: 60 }, vmBound);
        assert.notEqual(after.isError, true, text(after));
        assert.match(text(after), /--- stdout ---\nafter\n/);
      } finally {
        await mcp.close();
      }
    });
  });
}
