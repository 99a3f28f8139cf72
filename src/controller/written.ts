// The reports this replica wrote, in cache form, until the cache has caught up with them: by pod key (to reconcile
// on what was written rather than on an older cached version, which would only earn a 409) and by resourceVersion
// (to know the watch's echo of a write before parsing it). A resourceVersion names one write of one object in the
// whole cluster (an etcd revision), so an ADDED or MODIFIED event that carries one of these versions is that write.
import type { CachedReport } from "./report-cache.js";

/** The first resourceVersion of a watch event's line: the object's own (metadata comes before spec and status). */
const FIRST_VERSION = /"resourceVersion":"([^"\\]+)"/;

export class WrittenReports {
  private readonly byKey = new Map<string, CachedReport>();
  private readonly byVersion = new Map<string, CachedReport>();

  get(key: string): CachedReport | undefined {
    return this.byKey.get(key);
  }

  set(key: string, report: CachedReport): void {
    this.delete(key);
    this.byKey.set(key, report);
    const v = report.metadata.resourceVersion;
    if (v !== undefined) this.byVersion.set(v, report);
  }

  delete(key: string): void {
    const old = this.byKey.get(key);
    if (old === undefined) return;
    this.byKey.delete(key);
    const v = old.metadata.resourceVersion;
    if (v !== undefined && this.byVersion.get(v) === old) this.byVersion.delete(v);
  }

  get size(): number {
    return this.byKey.size;
  }

  /**
   * The written report a watch event line is the echo of, found without parsing the line; undefined for any other
   * event. Only ADDED and MODIFIED events carry a written object (a DELETED one carries the deletion's version).
   */
  echoOf(line: string): CachedReport | undefined {
    if (this.byVersion.size === 0) return undefined;
    if (!line.startsWith('{"type":"MODIFIED"') && !line.startsWith('{"type":"ADDED"')) return undefined;
    const m = FIRST_VERSION.exec(line);
    return m === null ? undefined : this.byVersion.get(m[1]);
  }
}
