import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { classifyError } from "../../src/controller/errors.js";
import { collectionSource, KubeHttp } from "../../src/controller/kube.js";

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function serve(handler: Handler): Promise<{ server: Server; kc: KubeConfig; requests: URL[] }> {
  const requests: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(url);
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t0ken" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return { server, kc, requests };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe("KubeHttp", () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await close(server);
    server = undefined;
  });

  it("returns the server's JSON as is: timestamps stay strings, unknown fields stay", async () => {
    let auth: string | undefined;
    const s = await serve((req, res) => {
      auth = req.headers.authorization;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ metadata: { name: "p", creationTimestamp: "2025-01-01T00:00:00Z" }, status: { brandNewField: 1 } }));
    });
    server = s.server;
    const pod = await new KubeHttp(s.kc).get<Record<string, unknown>>("/api/v1/namespaces/ns/pods/p");
    expect(pod).toEqual({ metadata: { name: "p", creationTimestamp: "2025-01-01T00:00:00Z" }, status: { brandNewField: 1 } });
    expect(auth).toBe("Bearer t0ken");
  });

  it("turns error responses into ApiExceptions that classify, Retry-After included", async () => {
    const s = await serve((_req, res) => {
      res.statusCode = 429;
      res.setHeader("retry-after", "3");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ kind: "Status", code: 429, message: "too many requests" }));
    });
    server = s.server;
    const err = await new KubeHttp(s.kc).put("/apis/x/v1/namespaces/ns/things/a", { a: 1 }).catch((e: unknown) => e);
    expect(classifyError(err)).toMatchObject({ class: "throttled", status: 429, retryAfterMs: 3000, retryable: true });
    expect(classifyError(err).message).toContain("too many requests");
  });

  it("lists every page of a collection and keeps the snapshot's resourceVersion", async () => {
    const s = await serve((_req, res, url) => {
      res.setHeader("content-type", "application/json");
      const page = url.searchParams.get("continue") ? 2 : 1;
      res.end(JSON.stringify({ metadata: { resourceVersion: "42", continue: page === 1 ? "next" : undefined }, items: [{ metadata: { name: `p${page}` } }] }));
    });
    server = s.server;
    const source = collectionSource(new KubeHttp(s.kc), "/api/v1/pods", { labelSelector: "app=web", pageSize: 1 });
    const list = await source.list();
    expect(list).toEqual({ resourceVersion: "42", items: [{ metadata: { name: "p1" } }, { metadata: { name: "p2" } }] });
    expect(s.requests.map((u) => [u.searchParams.get("limit"), u.searchParams.get("continue"), u.searchParams.get("labelSelector")])).toEqual([
      ["1", null, "app=web"],
      ["1", "next", "app=web"],
    ]);
  });

  it("watches with bookmarks and a server-side timeout, and delivers the events", async () => {
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "43" } } }) + "\n");
      res.write(JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "50" } } }) + "\n");
      res.end();
    });
    server = s.server;
    const source = collectionSource(new KubeHttp(s.kc), "/api/v1/pods", { minWatchTimeoutSeconds: 300, random: () => 0.5 });
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      void source.watch("42", (type, obj) => events.push(`${type} ${(obj as { metadata: { resourceVersion: string } }).metadata.resourceVersion}`), () => resolve());
    });
    expect(events).toEqual(["ADDED 43", "BOOKMARK 50"]);
    const q = s.requests[0].searchParams;
    expect([q.get("watch"), q.get("resourceVersion"), q.get("allowWatchBookmarks"), q.get("timeoutSeconds")]).toEqual(["true", "42", "true", "450"]);
  });

  it("replaces client-node's fixed 30 s idle cut-off of watches with its own limit", async () => {
    // client-node 2.0.1's Watch aborts any watch that receives nothing for 30 s; KubeHttp sets that limit.
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.flushHeaders(); // then stay silent
    });
    server = s.server;
    const started = Date.now();
    const err = await new Promise<unknown>((resolve) => {
      void new KubeHttp(s.kc, { watchIdleTimeoutMs: 300 }).watch("/api/v1/pods", {}, () => undefined, resolve);
    });
    expect((err as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(5_000);

    // With a longer limit, a watch silent for longer than the short one stays open.
    const events: string[] = [];
    let doneErr: unknown = "not done";
    const http = new KubeHttp(s.kc, { watchIdleTimeoutMs: 5_000 });
    const handle = await http.watch("/api/v1/pods", {}, (t) => events.push(t), (e) => (doneErr = e));
    await new Promise((r) => setTimeout(r, 700));
    expect(doneErr).toBe("not done");
    handle.abort();
  });
});
