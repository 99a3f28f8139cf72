// The sizing rule the README states and deploy/ follows, for a replica (or a shard) that watches `pods` pods, from
// what `npm run bench` measures:
//   - NODE_OPTIONS: a young generation of 4 MiB semi-spaces instead of Node's much larger default, which otherwise
//     more than doubles the resident set for the same live heap (20,000 pods: 515 MiB against 280 MiB, for 2 % more
//     CPU); an old generation capped at 96 MiB + 4.5 MiB per 1,000 pods, over twice the live heap measured (31 MiB
//     + 2.2 KiB per pod), so that V8 collects before it grows the heap instead of after (50,000 pods: 356 MiB
//     resident against 458 MiB uncapped), with room for a relist, which briefly holds the old cache and the new list;
//   - memory request: 150 MiB + 5 MiB per 1,000 pods, at or above the high-water mark measured;
//   - memory limit: the old generation's cap + 128 MiB (code, young generation, buffers: the rest of the process).

export interface Sizing {
  /** NODE_OPTIONS for the controller. */
  nodeOptions: string;
  oldSpaceMiB: number;
  requestMiB: number;
  limitMiB: number;
}

export function sizingFor(pods: number): Sizing {
  const thousands = pods / 1000;
  const oldSpaceMiB = Math.ceil(96 + 4.5 * thousands);
  return {
    nodeOptions: `--max-semi-space-size=4 --max-old-space-size=${oldSpaceMiB}`,
    oldSpaceMiB,
    requestMiB: Math.ceil(150 + 5 * thousands),
    limitMiB: oldSpaceMiB + 128,
  };
}
