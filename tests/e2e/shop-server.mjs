// A tiny shop on 127.0.0.1 for the browser tests: serves pkg/ under /fps-checkout/, a product page
// under a strict Content-Security-Policy, a fake signing endpoint and a fake CBUI start page.
// The signature is a fixed fake: these tests check the page, the signer has its own vectors.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const SITE = fileURLToPath(new URL("./site/", import.meta.url));
const TYPES = {
  ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".html": "text/html; charset=utf-8", ".json": "application/json",
};
export const FAKE_SIGNATURE = "fAkE+sig/nature==";

/** SigV2 percent-encoding: unreserved characters kept, everything else %XX. */
export function encode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

async function serveFile(res, root, path) {
  const file = normalize(root + path);
  if (!file.startsWith(root)) return notFound(res);
  try {
    const body = await readFile(file);
    res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Security-Policy": CSP });
    res.end(body);
  } catch {
    notFound(res);
  }
}

function notFound(res) {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end("not found");
}

/**
 * Starts the shop; resolves with { origin, signRequests, returnRequests, cbuiVisits, close }. `root` and `index`
 * choose the site served at `/` (default: the strict-CSP product page of site/).
 */
export function startShop({ root = SITE, index = "shop.html" } = {}) {
  const signRequests = [];
  const returnRequests = [];
  const cbuiVisits = [];
  let origin = "";
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, origin);
    if (req.method === "POST" && url.pathname === "/fps/sign") {
      let body = "";
      for await (const chunk of req) body += chunk;
      signRequests.push({ body, contentType: req.headers["content-type"], at: Date.now() });
      const { params } = JSON.parse(body);
      const query = Object.keys(params).sort().map((k) => `${encode(k)}=${encode(params[k])}`).join("&");
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({
        url: `${origin}/cobranded-ui/actions/start?${query}&signature=${encode(FAKE_SIGNATURE)}`,
        signature: FAKE_SIGNATURE,
        signatureMethod: params.signatureMethod,
      }));
      return;
    }
    if (req.method === "POST" && url.pathname === "/fps/return") {
      let body = "";
      for await (const chunk of req) body += chunk;
      returnRequests.push({ body, contentType: req.headers["content-type"] });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ orderId: "order-42", status: "paid", transactionStatus: "Success", message: "Payment received. Thank you!" }));
      return;
    }
    if (url.pathname === "/cobranded-ui/actions/start") {
      cbuiVisits.push({ query: url.search, at: Date.now() });
      return serveFile(res, SITE, "cbui.html");
    }
    if (url.pathname.startsWith("/fps-checkout/")) {
      return serveFile(res, PKG, url.pathname.slice("/fps-checkout/".length));
    }
    if (url.pathname === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === "/") return serveFile(res, root, index);
    return serveFile(res, root, url.pathname.slice(1));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, signRequests, returnRequests, cbuiVisits, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
