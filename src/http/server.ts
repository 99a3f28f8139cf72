// The operator's HTTP endpoint on node:http: /metrics (Prometheus text or OpenMetrics, as the scraper asks),
// /healthz (the process and its event loop are alive) and /readyz (every cache has had its first list and is current; a follower
// that is synced is ready too). Unknown paths get 404, methods other than GET and HEAD 405.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { Logger } from "pino";
import { CONTENT_TYPES, type Format } from "../metrics/exposition.js";
import { negotiateFormat } from "../metrics/negotiate.js";
import { EventLoopWatchdog } from "./liveness.js";

export interface HealthServerOptions {
  /** IP address to listen on. */
  address: string;
  /** 0 lets the OS choose (see `url` once listening). */
  port: number;
  metrics: { render(format: Format): Promise<Buffer[]> };
  ready: () => boolean;
  watchdog?: EventLoopWatchdog;
  logger: Logger;
  /** How long close() lets in-flight requests finish before it drops their connections. Default 2 s. */
  closeTimeoutMs?: number;
}

const PLAIN = "text/plain; charset=utf-8";
const ALLOWED = "GET, HEAD";

export class HealthServer {
  private readonly o: HealthServerOptions;
  private readonly server: Server;
  private readonly watchdog: EventLoopWatchdog;
  private readonly routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void>;
  private closing: Promise<void> | null = null;

  constructor(options: HealthServerOptions) {
    this.o = options;
    this.watchdog = options.watchdog ?? new EventLoopWatchdog();
    this.routes = {
      "/metrics": (req, res) => this.metrics(req, res),
      "/healthz": (_req, res) => {
        const live = this.watchdog.check();
        reply(res, live.ok ? 200 : 503, `${live.detail}\n`);
      },
      "/readyz": (_req, res) => {
        const ready = this.o.ready();
        reply(res, ready ? 200 : 503, ready ? "ok\n" : "not ready: a cache has not had its first list yet, or has not been current for a while (see the log)\n");
      },
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (res.headersSent) {
          // The answer had started: most often the scraper went away mid-body.
          this.o.logger.debug({ err, path: req.url }, "http response aborted");
          res.destroy();
          return;
        }
        this.o.logger.error({ err, path: req.url }, "http request failed");
        reply(res, 500, "internal error\n");
      });
    });
  }

  /** Starts listening (and the event-loop heartbeat); rejects when the address cannot be bound. */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`metrics server: cannot listen on ${this.o.address}:${this.o.port}: ${err.message}`, { cause: err }));
      this.server.once("error", onError);
      this.server.listen(this.o.port, this.o.address, () => {
        this.server.removeListener("error", onError);
        resolve();
      });
    });
    this.watchdog.start();
    const addr = this.server.address() as AddressInfo;
    this.o.logger.info({ address: addr.address, port: addr.port }, "metrics and health server listening");
    return addr;
  }

  /** http://address:port, once listening. */
  get url(): string {
    const a = this.server.address() as AddressInfo | null;
    if (!a) throw new Error("metrics server: not listening");
    return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Stops listening, lets in-flight requests finish (up to the close timeout), then drops what is left. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.watchdog.stop();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), this.o.closeTimeoutMs ?? 2000);
    await closed;
    clearTimeout(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?", 1)[0];
    const route = Object.hasOwn(this.routes, path) ? this.routes[path] : undefined;
    if (route === undefined) return reply(res, 404, "not found\n");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", ALLOWED);
      return reply(res, 405, "method not allowed\n");
    }
    await route(req, res);
  }

  private async metrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const format = negotiateFormat(req.headers.accept);
    const chunks = await this.o.metrics.render(format);
    if (acceptsGzip(req.headers["accept-encoding"])) {
      // Prometheus asks for gzip; 50,000 pods are tens of megabytes of text. Level 1: most of the gain for little
      // CPU, and zlib runs on libuv's thread pool, not on the event loop.
      res.writeHead(200, { "Content-Type": CONTENT_TYPES[format], "Content-Encoding": "gzip", Vary: "Accept-Encoding" });
      if (req.method === "HEAD") return void res.end();
      await pipeline(Readable.from(chunks), createGzip({ level: 1 }), res);
      return;
    }
    let length = 0;
    for (const c of chunks) length += c.length;
    res.writeHead(200, { "Content-Type": CONTENT_TYPES[format], "Content-Length": length, Vary: "Accept-Encoding" });
    // HEAD: Node sends the headers and drops the body.
    for (const c of chunks) res.write(c);
    res.end();
  }
}

/** Whether an Accept-Encoding header takes gzip (q above 0, by name or by `*`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const part of header.split(",")) {
    const [coding, ...params] = part.split(";").map((x) => x.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (coding === "gzip" || coding === "x-gzip") return q > 0;
    if (coding === "*") star = q > 0;
  }
  return star;
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": PLAIN, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
