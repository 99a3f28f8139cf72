// The simulated API server's TCP face: an http.Server that can go down (listener closed, every connection cut,
// so new connects are refused) and come back on the same port, as a crashed or upgraded kube-apiserver does.
// It tracks the open sockets itself, because "down" must cut idle keep-alive connections too: a client's pooled
// connection to a dead server does not survive it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** What the fault handle needs of the listener. */
export interface ListenerControl {
  readonly isUp: boolean;
  /** Closes the listening socket and cuts every open connection; resolves once the port is free. */
  down(): Promise<void>;
  /** Listens again on the same host and port; resolves once listening. */
  up(): Promise<void>;
}

export class Listener implements ListenerControl {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private host = "127.0.0.1";
  private port = 0;
  private state: "down" | "up" | "closed" = "down";
  private transition: Promise<void> = Promise.resolve();

  /** Starts listening for the first time; `port` 0 lets the OS choose, and later `up` calls reuse what it chose. */
  async listen(handler: (req: IncomingMessage, res: ServerResponse) => void, port: number, host: string): Promise<number> {
    if (this.server) throw new Error("sim listener: already started");
    const server = createServer(handler);
    // Watches are long-lived: no request timeout, and keep-alive sockets must not hold up close().
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    this.server = server;
    this.host = host;
    await this.bind(port);
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("sim: server has no TCP address");
    this.port = bound.port;
    return bound.port;
  }

  get isUp(): boolean {
    return this.state === "up";
  }

  /** Open connections, idle keep-alive ones included. */
  get connections(): number {
    return this.sockets.size;
  }

  down(): Promise<void> {
    return this.serialize(async () => {
      if (this.state !== "up") return;
      this.state = "down";
      await this.stopListening();
    });
  }

  up(): Promise<void> {
    return this.serialize(async () => {
      if (this.state !== "down") return;
      await this.bind(this.port);
    });
  }

  /** Stops for good: a later `up` does nothing. Idempotent. */
  close(): Promise<void> {
    return this.serialize(async () => {
      const wasUp = this.state === "up";
      this.state = "closed";
      if (wasUp) await this.stopListening();
    });
  }

  /** Runs transitions one after another, so a `down` racing an `up` cannot leave the port half-bound. */
  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.transition.then(step);
    this.transition = next.catch(() => undefined);
    return next;
  }

  private bind(port: number): Promise<void> {
    const server = this.server as Server;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`sim: cannot listen on ${this.host}:${port}: ${err.message}`, { cause: err }));
      server.once("error", onError);
      server.listen(port, this.host, () => {
        server.off("error", onError);
        this.state = "up";
        resolve();
      });
    });
  }

  /**
   * Closes the listening socket first (from here on a connect is refused), then destroys every connection. A
   * destroyed socket sends a FIN, as the kernel does for a process that died: a response or watch stream in
   * progress ends short, without its final chunk.
   */
  private stopListening(): Promise<void> {
    const server = this.server as Server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    return closed;
  }
}

/**
 * Resets the response's connection (a TCP RST, not a clean end) once what was written so far has left the
 * process, so the client receives those bytes and then "connection reset": a truncated body or watch stream.
 * Node's http layer corks a socket until the next tick, hence the wait; it is bounded in case the peer stopped
 * reading (a full socket buffer never drains).
 */
export function resetWhenFlushed(res: ServerResponse, triesLeft = 1000): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  setImmediate(() => {
    if (socket.destroyed) return;
    if ((socket.writableLength > 0 || socket.writableCorked > 0) && triesLeft > 0) resetWhenFlushed(res, triesLeft - 1);
    else socket.resetAndDestroy();
  });
}
