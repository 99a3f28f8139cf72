// The /sim/faults admin API: one route per fault, each with the example and the one line the `sim` command prints,
// so that what a person is told to try is what the server accepts. JSON in, JSON out; never subject to faults
// itself (it keeps answering inside a black hole, which is how one lifts it over HTTP).
import { ApiError, badRequest } from "./errors.js";
import type { Faults, FailureSpec, RequestMatch, ResetSpec } from "./faults.js";
import { parseJsonBody } from "./rest.js";

type Body = Record<string, unknown>;

export interface AdminReply {
  body: object;
  /** Runs once the reply has been sent: taking the server down must not cut the reply to the request asking. */
  after?: () => Promise<void>;
}

export interface FaultRoute {
  /** POST /sim/faults/<name> */
  name: string;
  /** A body to try, "" when it takes none. */
  example: string;
  what: string;
  run(faults: Faults, body: Body): AdminReply;
}

function field<T>(body: Body, key: string, type: "number" | "boolean" | "string"): T | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw badRequest(`${key} must be a ${type}, got ${JSON.stringify(v)}`);
  return v as T;
}

const num = (body: Body, key: string): number | undefined => field<number>(body, key, "number");

function requestMatch(body: Body): RequestMatch {
  return { method: field<string>(body, "method", "string"), path: field<string>(body, "path", "string"), watch: field<boolean>(body, "watch", "boolean") };
}

export const FAULT_ROUTES: readonly FaultRoute[] = [
  {
    name: "down",
    example: '{"forMs":20000}',
    what: "API server down for forMs: connection refused, every connection cut; back on the same port with its state",
    run: (faults: Faults, body: Body): AdminReply => {
      const forMs = num(body, "forMs");
      // Over HTTP nothing could reach the server to bring it back, so the return must be scheduled now.
      if (forMs === undefined || forMs <= 0) throw badRequest("down over HTTP needs forMs > 0: nothing could reach a down server to bring it back up");
      return { body: { down: true, forMs }, after: () => faults.down({ forMs }) };
    },
  },
  {
    name: "restart",
    example: '{"forMs":5000}',
    what: "down for forMs (default 0), back without its watch cache: watches (and continue tokens, unless keepEtcdHistory) from before get 410 Gone",
    run: (faults: Faults, body: Body): AdminReply => {
      const forMs = num(body, "forMs") ?? 0;
      const keepEtcdHistory = field<boolean>(body, "keepEtcdHistory", "boolean") === true;
      return { body: { down: true, forMs, restart: true, keepEtcdHistory }, after: () => faults.restart({ forMs, keepEtcdHistory }) };
    },
  },
  {
    name: "blackhole",
    example: '{"forMs":30000}',
    what: "a hung server: connections accepted, requests never answered, watches silent; until forMs passes or lift",
    run: (faults: Faults, body: Body): AdminReply => {
      faults.blackHole({ forMs: num(body, "forMs") });
      return { body: faults.state() };
    },
  },
  { name: "lift", example: "", what: "lift the black hole: held requests are answered, silent watches catch up", run: (faults: Faults): AdminReply => (faults.liftBlackHole(), { body: faults.state() }) },
  {
    name: "reset-next",
    example: '{"path":"/pods$","watch":false,"afterBytes":200}',
    what: "reset the connection (RST) mid-way through the next matching response (afterBytes), or a watch after afterEvents events",
    run: (faults: Faults, body: Body): AdminReply => {
      const spec: ResetSpec = { ...requestMatch(body), afterBytes: num(body, "afterBytes"), afterEvents: num(body, "afterEvents") };
      faults.resetNext(num(body, "count") ?? 1, spec);
      return { body: faults.state() };
    },
  },
  {
    name: "fail",
    example: '{"count":3,"status":503,"path":"/pods"}',
    what: "fail the next count matching requests with status (500 default; 429 gets Retry-After: retryAfterSeconds)",
    run: (faults: Faults, body: Body): AdminReply => {
      const spec: FailureSpec = { ...requestMatch(body), status: num(body, "status"), retryAfterSeconds: num(body, "retryAfterSeconds") };
      faults.failNext(num(body, "count") ?? 1, spec);
      return { body: faults.state() };
    },
  },
  {
    name: "latency",
    example: '{"ms":500}',
    what: "delay every matching request by ms (0 turns it off)",
    run: (faults: Faults, body: Body): AdminReply => {
      faults.setLatency(num(body, "ms") ?? 0, requestMatch(body));
      return { body: faults.state() };
    },
  },
  { name: "drop-watches", example: '{"abort":true}', what: "end every open watch (abort: reset the connections instead)", run: (faults: Faults, body: Body): AdminReply => ({ body: { dropped: faults.dropWatches({ abort: field<boolean>(body, "abort", "boolean") === true }) } }) },
  { name: "compact", example: "", what: "compact the history: watches and continue tokens from earlier versions get 410 Gone", run: (faults: Faults): AdminReply => ({ body: { resourceVersion: faults.compact() } }) },
  { name: "pause", example: "", what: "hold every new request until resume (open watches keep flowing)", run: (faults: Faults): AdminReply => (faults.pause(), { body: faults.state() }) },
  { name: "resume", example: "", what: "answer the held requests", run: (faults: Faults): AdminReply => (faults.resume(), { body: faults.state() }) },
  { name: "reset", example: "", what: "clear every fault, lift a black hole, bring a down server back up", run: (faults: Faults): AdminReply => (faults.reset(), { body: faults.state() }) },
];

/** Answers one admin request; throws an ApiError for a bad one. */
export function faultAdmin(faults: Faults, method: string, path: string, text: string): AdminReply {
  const parsed: unknown = text.trim() === "" ? {} : parseJsonBody(text);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badRequest("the request body must be a JSON object");
  if (path === "/sim/faults") {
    if (method !== "GET") throw new ApiError(405, "MethodNotAllowed", "GET /sim/faults shows the faults; POST to /sim/faults/<name> sets one");
    return { body: faults.state() };
  }
  const route = path.startsWith("/sim/faults/") ? FAULT_ROUTES.find((r) => r.name === path.slice("/sim/faults/".length)) : undefined;
  if (!route) throw new ApiError(404, "NotFound", `no such fault endpoint ${path}; try ${FAULT_ROUTES.map((r) => r.name).join(", ")}`);
  if (method !== "POST") throw new ApiError(405, "MethodNotAllowed", "use POST");
  try {
    return route.run(faults, parsed as Body);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest(err instanceof Error ? err.message : String(err));
  }
}

/** The lines the `sim` command prints: how to set each fault on the running cluster. */
export function faultUsage(url: string): string {
  const width = Math.max(...FAULT_ROUTES.map((r) => r.name.length));
  const lines = FAULT_ROUTES.map((r) => `  ${r.name.padEnd(width)}  ${r.what}${r.example ? `; e.g. ${r.example}` : ""}`);
  return (
    `faults on demand: curl -s -X POST ${url}/sim/faults/<name> -d '<json>'  (curl -s ${url}/sim/faults shows them)\n` +
    `${lines.join("\n")}\n` +
    `  request filters for fail, reset-next and latency: "method", "path" (a regular expression), "watch" (true/false)\n`
  );
}
