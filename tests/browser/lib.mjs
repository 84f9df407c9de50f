// Helpers for the console tests: Debian's chromium through playwright-core, a plain static file
// server for web/ (the console must work without cavra), and the real runner for live mode.

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile, mkdir, rm } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { createInterface } from "node:readline";

export const ROOT = resolve(import.meta.dirname, "../..");
export const WEB = join(ROOT, "web");
export const ARTIFACTS = join(ROOT, "artifacts", "browser");
export const P = "/runtime/go-pilot/rollback-drill-notifications/acknowledgements/audit-delivery";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

export async function launch() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  await mkdir(ARTIFACTS, { recursive: true });
  return browser;
}

/** Serves web/ like any static file server would (no cavra involved). */
export async function staticServer(root = WEB) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Starts `cavra up` on a free port with a fresh data directory. */
export async function startRunner({ vars = {}, args = [] } = {}) {
  const dataDir = join(ROOT, "target", "browser-tmp", `run-${process.pid}-${Date.now()}`);
  await rm(dataDir, { recursive: true, force: true });
  const argv = ["up", "--port", "0", "--data-dir", dataDir, ...args];
  for (const [k, v] of Object.entries(vars)) argv.push("--var", `${k}=${v}`);
  const child = spawn(join(ROOT, "target", "release", "cavra"), argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const line = await new Promise((ok, fail) => {
    const rl = createInterface({ input: child.stdout });
    rl.once("line", ok);
    child.once("exit", (code) => fail(new Error(`runner exited ${code}: ${stderr}`)));
  });
  const url = line.match(/http:\/\/[0-9.:]+/)[0];
  let tokens = {};
  try {
    tokens = Object.fromEntries(JSON.parse(await readFile(join(dataDir, "tokens.json"), "utf8")).map((t) => [t.role, t.token]));
  } catch {
    // --insecure-no-auth: no tokens.
  }
  return { url, dataDir, tokens, stop: () => new Promise((ok) => { child.once("exit", ok); child.kill("SIGKILL"); }), logs: () => stderr };
}

/** Puts a role's token into the console and waits until it has signed in. */
export async function signIn(page, token) {
  const role = token.split("_")[1];
  await page.fill("#token", token);
  await page.dispatchEvent("#token", "change");
  await page.waitForFunction((r) => document.getElementById("whoami").textContent.endsWith(`(${r})`), role);
}

export async function newPage(browser) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 1000 } });
  // Script errors and console errors; failed loads are listed apart (a static server has no API).
  const errors = [];
  const failedLoads = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    (m.text().startsWith("Failed to load resource") ? failedLoads : errors).push(m.text());
  });
  return { page, errors, failedLoads };
}
