import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { classifyError } from "../../src/controller/errors.js";
import { collectionSource, KubeHttp } from "../../src/controller/kube.js";

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function serve(handler: Handler): Promise<{ server: Server; kc: KubeConfig; requests: URL[]; connections: () => number }> {
  const requests: URL[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requests.push(url);
    handler(req, res, url);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t0ken" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return { server, kc, requests, connections: () => connections };
}

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
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
    const list = await source.list("", (raw) => raw);
    expect(list).toEqual({ resourceVersion: "42", items: [{ metadata: { name: "p1" } }, { metadata: { name: "p2" } }] });
    expect(s.requests.map((u) => [u.searchParams.get("limit"), u.searchParams.get("continue"), u.searchParams.get("labelSelector")])).toEqual([
      ["1", null, "app=web"],
      ["1", "next", "app=web"],
    ]);
  });

  it("cuts each page down as it arrives, dropping what `keep` refuses", async () => {
    const s = await serve((_req, res, url) => {
      res.setHeader("content-type", "application/json");
      const page = url.searchParams.get("continue") ? 2 : 1;
      const items = [{ metadata: { name: `a${page}` }, big: "x".repeat(1000) }, { metadata: { name: `b${page}` } }];
      res.end(JSON.stringify({ metadata: { resourceVersion: "7", continue: page === 1 ? "next" : undefined }, items }));
    });
    server = s.server;
    const seen: string[] = [];
    const list = await collectionSource(new KubeHttp(s.kc), "/api/v1/pods", { pageSize: 2 }).list("", (raw) => {
      const name = (raw as { metadata: { name: string } }).metadata.name;
      seen.push(name);
      return name.startsWith("a") ? { name } : null;
    });
    expect(seen).toEqual(["a1", "b1", "a2", "b2"]);
    expect(list.items).toEqual([{ name: "a1" }, { name: "a2" }]);
  });

  it("hands over each item of one long list response while the rest is still on its way", async () => {
    let finish: () => void = () => undefined;
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.write('{"kind":"PodList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"first"}},');
      finish = () => res.end('{"metadata":{"name":"second"}}]}');
    });
    server = s.server;
    const seen: string[] = [];
    const listed = collectionSource(new KubeHttp(s.kc), "/api/v1/pods").list("0", (raw) => {
      const name = (raw as { metadata: { name: string } }).metadata.name;
      seen.push(name);
      if (name === "first") finish();
      return name;
    });
    await expect(listed).resolves.toEqual({ resourceVersion: "5", items: ["first", "second"] });
  });

  it("says which list broke when its body is cut short or is not a list", async () => {
    const s = await serve((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url?.includes("events")) res.end('{"metadata":{},"items":[{"a":1},');
      else res.end('{"metadata":{},"items":[{"a":tru}]}');
    });
    server = s.server;
    const api = new KubeHttp(s.kc);
    await expect(collectionSource(api, "/api/v1/events").list("0", (raw) => raw)).rejects.toThrow("GET /api/v1/events: reading the list: the list response ended early");
    await expect(collectionSource(api, "/api/v1/pods").list("0", (raw) => raw)).rejects.toThrow(/GET \/api\/v1\/pods: reading the list: .*JSON/);
  });

  it("lists as client-go's reflector does: 0 from the watch cache, a known version unpaged, '' paged", async () => {
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ metadata: { resourceVersion: "9" }, items: [] }));
    });
    server = s.server;
    const source = collectionSource(new KubeHttp(s.kc), "/api/v1/pods", { pageSize: 100 });
    for (const rv of ["0", "1234", ""]) await source.list(rv, (raw) => raw);
    const asked = s.requests.map((u) => [u.searchParams.get("resourceVersion"), u.searchParams.get("resourceVersionMatch"), u.searchParams.get("limit")]);
    expect(asked).toEqual([
      ["0", null, "100"],
      ["1234", "NotOlderThan", null],
      [null, null, "100"],
    ]);
  });

  it("reuses one keep-alive connection for many requests instead of opening one each", async () => {
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
    server = s.server;
    const http = new KubeHttp(s.kc);
    for (let i = 0; i < 20; i++) await http.get("/api/v1/namespaces/ns/pods/p");
    expect(s.requests).toHaveLength(20);
    // undici may open a second connection while the first still finishes a response; never one per request.
    expect(s.connections()).toBeLessThanOrEqual(2);
    await Promise.all(Array.from({ length: 4 }, () => http.get("/api/v1/namespaces/ns/pods/p")));
    // Four at once need up to four, kept for what comes next.
    const afterBurst = s.connections();
    expect(afterBurst).toBeLessThanOrEqual(5);
    for (let i = 0; i < 20; i++) await http.get("/api/v1/namespaces/ns/pods/p");
    expect(s.connections()).toBe(afterBurst);
    await http.close();
  });

  it("gives up on a request the server never answers, after the request timeout", async () => {
    const s = await serve(() => undefined); // accepts, never answers
    server = s.server;
    const started = Date.now();
    const err = await new KubeHttp(s.kc, { requestTimeoutMs: 300 }).get("/api/v1/pods").catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(classifyError(err)).toMatchObject({ retryable: true });
    expect(["timeout", "network"]).toContain(classifyError(err).class);
  });

  it("rejects a watch that cannot start: refused connection, an error status, no headers in time", async () => {
    const refused = await serve(() => undefined);
    const kc = refused.kc;
    await close(refused.server); // nothing listens there any more
    const errRefused = await new KubeHttp(kc).watch("/api/v1/pods", {}, () => undefined, () => undefined).catch((e: unknown) => e);
    expect(classifyError(errRefused).class).toBe("network");
    expect(String((errRefused as Error).message)).toContain("ECONNREFUSED");

    const s = await serve((req, res) => {
      if (req.url?.includes("forbidden")) {
        res.statusCode = 403;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ kind: "Status", code: 403, reason: "Forbidden", message: "pods is forbidden" }));
      }
      // else: never answer
    });
    server = s.server;
    const errForbidden = await new KubeHttp(s.kc).watch("/api/v1/forbidden", {}, () => undefined, () => undefined).catch((e: unknown) => e);
    expect(classifyError(errForbidden)).toMatchObject({ class: "forbidden", status: 403 });
    const started = Date.now();
    const errHung = await new KubeHttp(s.kc, { requestTimeoutMs: 300 }).watch("/api/v1/pods", {}, () => undefined, () => undefined).catch((e: unknown) => e);
    expect(errHung).toBeInstanceOf(Error);
    expect(classifyError(errHung).retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
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
    const ended = await new Promise<unknown>((resolve) => {
      void source.watch("42", (type, obj) => events.push(`${type} ${(obj as { metadata: { resourceVersion: string } }).metadata.resourceVersion}`), resolve);
    });
    expect(ended).toBeNull(); // a clean end of the stream
    expect(events).toEqual(["ADDED 43", "BOOKMARK 50"]);
    const q = s.requests[0].searchParams;
    expect([q.get("watch"), q.get("resourceVersion"), q.get("allowWatchBookmarks"), q.get("timeoutSeconds")]).toEqual(["true", "42", "true", "450"]);
  });

  it("does not parse a watch event the caller already has (its own write), and parses every other", async () => {
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.write('{"type":"MODIFIED","object":{"metadata":{"resourceVersion":"7"}},"not json here\n');
      res.write('{"type":"ADDED","object":{"metadata":{"name":"other","resourceVersion":"8"}}}\n');
    });
    server = s.server;
    const own = { metadata: { name: "mine", resourceVersion: "7" } };
    const events: Array<[string, unknown]> = [];
    const handle = await new KubeHttp(s.kc).watch(
      "/api/v1/pods",
      {},
      (type, obj) => events.push([type, obj]),
      () => undefined,
      (line) => (line.includes('"resourceVersion":"7"') ? own : undefined),
    );
    await waitUntil(() => events.length === 2);
    handle.abort();
    expect(events).toEqual([
      ["MODIFIED", own],
      ["ADDED", { metadata: { name: "other", resourceVersion: "8" } }],
    ]);
  });

  it("ends a watch that has been silent for the idle limit, and only then", async () => {
    // A hung server or a dead connection looks like a silent watch; bookmarks keep a live one talking.
    const s = await serve((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.flushHeaders(); // then stay silent
    });
    server = s.server;
    const started = Date.now();
    const err = await new Promise<unknown>((resolve) => {
      void new KubeHttp(s.kc, { watchIdleTimeoutMs: 300 }).watch("/api/v1/pods", {}, () => undefined, resolve);
    });
    expect(err).toBeInstanceOf(Error);
    expect(classifyError(err)).toMatchObject({ retryable: true });
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
