// Recording the pod watch stream once from the simulated cluster, and replaying it to the baselines: the pod list
// as the server sent it, then every recorded watch event at the pace it was recorded, one write per event as the
// server wrote them. A baseline thus sees the same bytes at the same rate as the controller did.
import { createReadStream, createWriteStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eachLine } from "./lines.js";

export interface RecordedEvent {
  /** Milliseconds after the recording started. */
  at: number;
  line: string;
}

/** Saves a GET of `url` to `file` as it arrives. */
export function download(url: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${url}: ${res.statusCode}`));
          res.resume();
          return;
        }
        let bytes = 0;
        res.on("data", (c: Buffer) => (bytes += c.length));
        const out = createWriteStream(file);
        res.pipe(out);
        out.on("finish", () => resolve(bytes));
        out.on("error", reject);
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

export interface Recorder {
  /** The events so far. */
  readonly events: RecordedEvent[];
  stop(): void;
}

/** Opens a watch on `url` (…/pods?watch=true&resourceVersion=…) and keeps every event line with its arrival time. */
export function recordWatch(url: string): Promise<Recorder> {
  return new Promise((resolve, reject) => {
    const events: RecordedEvent[] = [];
    const t0 = performance.now();
    const req = http.get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch ${url}: ${res.statusCode}`));
        return;
      }
      eachLine(res, (line) => events.push({ at: performance.now() - t0, line }));
      res.on("error", () => undefined);
      resolve({ events, stop: () => req.destroy() });
    });
    req.on("error", reject);
  });
}

export interface ReplayServer {
  url: string;
  /** Resolves once `n` watches are connected and waiting. */
  watchers(n: number): Promise<void>;
  /** Starts sending the recorded events to every connected watch; resolves when all are sent. */
  play(): Promise<void>;
  close(): Promise<void>;
}

/** Serves GET /api/v1/pods (the recorded list) and its watch (the recorded events, once `play` is called). */
export async function startReplay(listFile: string, events: readonly RecordedEvent[]): Promise<ReplayServer> {
  const watches: http.ServerResponse[] = [];
  let waiting: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://replay");
    if (url.pathname !== "/api/v1/pods") {
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"kind":"Status","code":404}');
      return;
    }
    if (url.searchParams.get("watch") !== "true") {
      res.writeHead(200, { "Content-Type": "application/json" });
      createReadStream(listFile).pipe(res);
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    watches.push(res);
    for (const w of waiting) w();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    watchers: (n) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (watches.length < n) return;
          waiting = waiting.filter((w) => w !== check);
          resolve();
        };
        waiting.push(check);
        check();
      }),
    play: () =>
      new Promise((resolve) => {
        const start = performance.now();
        let next = 0;
        const tick = setInterval(() => {
          const now = performance.now() - start;
          for (; next < events.length && events[next].at - events[0].at <= now; next++) {
            for (const w of watches) w.write(`${events[next].line}\n`);
          }
          if (next >= events.length) {
            clearInterval(tick);
            resolve();
          }
        }, 5);
      }),
    close: async () => {
      for (const w of watches) w.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
