// Reading a stream a line at a time (JSON lines: a watch, a process's log), for the benchmark's processes.

/** Calls `onLine` for each non-empty line `stream` writes; lines are not kept. */
export function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf("\n")) !== -1) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line !== "") onLine(line);
    }
  });
}
