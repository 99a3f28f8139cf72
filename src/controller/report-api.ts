// PodHealthReport calls on the API: the main resource and the status subresource are separate writes, and
// every write carries the resourceVersion it was built from, so a stale one fails with 409 instead of winning.
import { GROUP, PLURAL, VERSION, type PodHealthReport } from "../report/index.js";
import { classifyError } from "./errors.js";
import type { KubeApi } from "./kube.js";

export interface ReportApi {
  get(namespace: string, name: string): Promise<PodHealthReport | null>;
  /** Creates the report (the server ignores `status` on create, given the status subresource). */
  create(report: PodHealthReport): Promise<PodHealthReport>;
  /** Replaces metadata and spec. */
  replace(report: PodHealthReport): Promise<PodHealthReport>;
  /** Replaces the status subresource; the answer comes without its status, which is the one sent. */
  replaceStatus(report: PodHealthReport): Promise<PodHealthReport>;
  /** Deletes the report if it still has this uid; false when it was already gone. */
  delete(namespace: string, name: string, uid?: string): Promise<boolean>;
}

export function reportCollectionPath(namespace?: string): string {
  return namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
}

function itemPath(namespace: string, name: string): string {
  return `${reportCollectionPath(namespace)}/${encodeURIComponent(name)}`;
}

export function reportApi(api: KubeApi): ReportApi {
  return {
    async get(namespace, name) {
      try {
        return await api.get<PodHealthReport>(itemPath(namespace, name));
      } catch (err) {
        if (classifyError(err).class === "notFound") return null;
        throw err;
      }
    },
    create: (report) => api.post<PodHealthReport>(reportCollectionPath(report.metadata.namespace), report),
    replace: (report) => api.put<PodHealthReport>(itemPath(report.metadata.namespace, report.metadata.name), report),
    // The answer's status is the one sent: it is not parsed (see KubeApi.put's `without`).
    replaceStatus: (report) => api.put<PodHealthReport>(`${itemPath(report.metadata.namespace, report.metadata.name)}/status`, report, { without: "status" }),
    async delete(namespace, name, uid) {
      const body = { apiVersion: "v1", kind: "DeleteOptions", ...(uid ? { preconditions: { uid } } : {}) };
      try {
        await api.delete(itemPath(namespace, name), body);
        return true;
      } catch (err) {
        if (classifyError(err).class === "notFound") return false;
        throw err;
      }
    },
  };
}
