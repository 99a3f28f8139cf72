// The HTTP endpoint on a real socket: routes, methods, content negotiation, gzip, health and readiness, close.
import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { gunzipSync } from "node:zlib";
import pino from "pino";
import { EventLoopWatchdog } from "../../src/http/liveness.js";
import { acceptsGzip, HealthServer } from "../../src/http/server.js";
import type { Format } from "../../src/metrics/exposition.js";

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function call(url: string, opts: { method?: string; headers?: Record<string, string>; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: opts.agent }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on("error", reject);
    req.end();
  });
}

function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Blocks the event loop on purpose.
  }
}

describe("HealthServer", () => {
  let server: HealthServer;
  let ready = false;
  let fail = false;
  const formats: Format[] = [];
  const metrics = {
    render: async (format: Format): Promise<Buffer[]> => {
      if (fail) throw new Error("boom");
      formats.push(format);
      return [Buffer.from(`# ${format}\n`), Buffer.from("x 1\n")];
    },
  };

  beforeAll(async () => {
    server = new HealthServer({
      address: "127.0.0.1",
      port: 0,
      metrics,
      ready: () => ready,
      watchdog: new EventLoopWatchdog({ intervalMs: 50, maxStallMs: 2_000, windowMs: 60_000 }),
      logger: pino({ level: "silent" }),
    });
    await server.listen();
  });
  afterAll(async () => {
    await server.close();
  });

  it("serves the text format by default and OpenMetrics when asked", async () => {
    const text = await call(`${server.url}/metrics`);
    expect(text.status).toBe(200);
    expect(text.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(text.headers["content-length"]).toBe(String(text.body.length));
    expect(text.body.toString()).toBe("# text\nx 1\n");
    const om = await call(`${server.url}/metrics?debug=1`, { headers: { Accept: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5" } });
    expect(om.headers["content-type"]).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(om.body.toString()).toBe("# openmetrics\nx 1\n");
  });

  it("compresses with gzip when the scraper accepts it", async () => {
    const r = await call(`${server.url}/metrics`, { headers: { "Accept-Encoding": "gzip, deflate" } });
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(r.body).toString()).toBe("# text\nx 1\n");
    expect((await call(`${server.url}/metrics`, { headers: { "Accept-Encoding": "gzip;q=0" } })).headers["content-encoding"]).toBeUndefined();
  });

  it.each([
    ["gzip", true],
    ["deflate, gzip;q=0.5", true],
    ["gzip;q=0", false],
    ["identity", false],
    ["*", true],
    ["*;q=0", false],
    ["", false],
  ])("Accept-Encoding %j takes gzip: %s", (header, want) => expect(acceptsGzip(header)).toBe(want));

  it("answers HEAD with the headers only, other methods with 405, unknown paths with 404", async () => {
    const head = await call(`${server.url}/metrics`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const post = await call(`${server.url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect((await call(`${server.url}/healthz`, { method: "DELETE" })).status).toBe(405);
    expect((await call(`${server.url}/nope`)).status).toBe(404);
    expect((await call(`${server.url}/nope`, { method: "POST" })).status).toBe(404);
    expect((await call(`${server.url}/constructor`)).status).toBe(404);
  });

  it("is ready once the controller says so", async () => {
    ready = false;
    const no = await call(`${server.url}/readyz`);
    expect(no.status).toBe(503);
    expect(no.body.toString()).toMatch(/not ready/);
    ready = true;
    expect((await call(`${server.url}/readyz`)).status).toBe(200);
  });

  it("answers 500 when the metrics cannot be rendered", async () => {
    fail = true;
    try {
      expect((await call(`${server.url}/metrics`)).status).toBe(500);
    } finally {
      fail = false;
    }
  });

  it("fails /healthz after the event loop was blocked longer than the allowance", async () => {
    expect((await call(`${server.url}/healthz`)).status).toBe(200);
    const pending = call(`${server.url}/healthz`);
    busyWait(3_000);
    const r = await pending;
    expect(r.status).toBe(503);
    expect(r.body.toString()).toMatch(/event loop stalled for \d+ms/);
  });
});

describe("HealthServer.close", () => {
  it("closes idle keep-alive connections, so a scraper's open connection does not hold the shutdown", async () => {
    // A close timeout far beyond the test's: close() can only finish in time by closing the idle connection.
    const server = new HealthServer({
      address: "127.0.0.1",
      port: 0,
      metrics: { render: async () => [Buffer.from("x 1\n")] },
      ready: () => true,
      logger: pino({ level: "silent" }),
      closeTimeoutMs: 600_000,
    });
    await server.listen();
    const url = server.url;
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await call(`${url}/metrics`, { agent })).status).toBe(200);
      await server.close();
      await expect(call(`${url}/metrics`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
    }
  });

  it("rejects listen with the address when it is taken", async () => {
    const a = new HealthServer({ address: "127.0.0.1", port: 0, metrics: { render: async () => [] }, ready: () => true, logger: pino({ level: "silent" }) });
    await a.listen();
    const port = Number(new URL(a.url).port);
    const b = new HealthServer({ address: "127.0.0.1", port, metrics: { render: async () => [] }, ready: () => true, logger: pino({ level: "silent" }) });
    try {
      await expect(b.listen()).rejects.toThrow(new RegExp(`cannot listen on 127.0.0.1:${port}: .*EADDRINUSE`));
    } finally {
      await b.close();
      await a.close();
    }
  });
});
