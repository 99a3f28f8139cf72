// The one-line messages of the health verdict: each names the container and the thing to check. Every piece of
// text taken from the pod goes through tidy() here, which is what keeps a message on one line; the text of
// this file is already clean. Only pods with something to say get here.
import { registryHost } from "./image.js";
import { asArray, asObject, asString } from "./read.js";
import { tidy } from "./text.js";
import type { ContainerSummary } from "./types.js";

/** Who the message is about: the pod's name and namespace (tidied), as kubectl commands need them. */
export interface Subject {
  pod: string;
  namespace: string;
}

export function subjectOf(metadata: Record<string, unknown> | undefined): Subject {
  return { pod: tidy(asString(metadata?.name)), namespace: tidy(asString(metadata?.namespace)) };
}

type Spec = Record<string, unknown> | undefined;

export function containerLabel(c: ContainerSummary): string {
  const kind = c.kind === "init" ? "init container" : c.kind === "sidecar" ? "sidecar container" : "container";
  return `${kind} "${tidy(c.name)}"`;
}

function podRef(subject: Subject): string {
  return subject.namespace !== "" ? `${subject.pod} -n ${subject.namespace}` : subject.pod;
}

function logsHint(subject: Subject, c: ContainerSummary, previous: boolean): string {
  const ns = subject.namespace !== "" ? ` -n ${subject.namespace}` : "";
  return `check its logs: kubectl logs ${subject.pod} -c ${tidy(c.name)}${previous ? " --previous" : ""}${ns}`;
}

function describeHint(subject: Subject): string {
  return `check the pod's events: kubectl describe pod ${podRef(subject)}`;
}

function kubeletSays(message: string | null): string {
  return message !== null ? `; kubelet: ${tidy(message)}` : "";
}

function lastExit(c: ContainerSummary): string {
  const t = c.lastTermination;
  if (t === null) return "last exit unknown";
  return `last exit ${t.reason !== null ? tidy(t.reason) : "Error"}${t.exitCode !== null ? ` (code ${t.exitCode})` : ""}`;
}

function restartsPhrase(n: number): string {
  return n === 1 ? "1 restart" : `${n} restarts`;
}

/** The container's memory limit as written in its spec (`256Mi`), or null when it has none. */
export function memoryLimit(spec: Spec): string | null {
  const resources = asObject(spec?.resources);
  const limits = asObject(resources?.limits);
  const memory = limits?.memory;
  if (typeof memory === "string" && memory !== "") return tidy(memory);
  if (typeof memory === "number" && Number.isFinite(memory)) return String(memory);
  return null;
}

function memoryAdvice(spec: Spec): string {
  const limit = memoryLimit(spec);
  return limit !== null
    ? `its memory limit is ${limit}: raise the limit or reduce its memory use`
    : "it has no memory limit, so the node itself ran out of memory: set memory requests and limits, check the node";
}

export function crashLoopMessage(subject: Subject, c: ContainerSummary, spec: Spec): string {
  if (c.lastTermination?.reason === "OOMKilled") {
    return `${containerLabel(c)} was OOMKilled and is crash-looping (CrashLoopBackOff, ${restartsPhrase(c.restartCount)}); ${memoryAdvice(spec)}; ${logsHint(subject, c, true)}`;
  }
  return `${containerLabel(c)} is crash-looping (CrashLoopBackOff, ${restartsPhrase(c.restartCount)}, ${lastExit(c)}): ${logsHint(subject, c, true)}`;
}

export function terminatedMessage(subject: Subject, c: ContainerSummary, spec: Spec): string {
  const code = c.exitCode ?? 0;
  if (c.reason === "OOMKilled") {
    return `${containerLabel(c)} was OOMKilled (exit code ${code}); ${memoryAdvice(spec)}; ${logsHint(subject, c, false)}`;
  }
  const how = c.signal !== null ? `was killed by signal ${c.signal}` : `exited with code ${code}`;
  return `${containerLabel(c)} ${how}${c.reason !== null ? ` (${tidy(c.reason)})` : ""}: ${logsHint(subject, c, false)}${kubeletSays(c.message)}`;
}

function pullSecretsPhrase(podSpec: Spec): string {
  const names: string[] = [];
  for (const s of asArray(podSpec?.imagePullSecrets)) {
    const name = tidy(asString(asObject(s)?.name));
    if (name !== "") names.push(name);
  }
  return names.length > 0 ? `imagePullSecrets: ${names.join(", ")}` : "the pod has no imagePullSecrets";
}

export function imagePullMessage(c: ContainerSummary, podSpec: Spec): string {
  const image = tidy(c.image ?? "");
  return `${containerLabel(c)} cannot pull image "${image}" from ${registryHost(image)} (${tidy(c.reason ?? "ImagePullBackOff")}): check that the image and tag exist and the pull credentials (${pullSecretsPhrase(podSpec)})${kubeletSays(c.message)}`;
}

export function invalidImageMessage(c: ContainerSummary): string {
  return `${containerLabel(c)} has an invalid image reference "${tidy(c.image ?? "")}" (InvalidImageName): fix the image field${kubeletSays(c.message)}`;
}

// What the kubelet names when it cannot build the container's environment.
function missingReference(kubeletMessage: string | null): string | null {
  if (kubeletMessage === null) return null;
  const text = tidy(kubeletMessage);
  const notFound = /\b(configmap|secret)s? "([^"]+)" not found/i.exec(text);
  if (notFound !== null) {
    const kind = notFound[1].toLowerCase() === "secret" ? "Secret" : "ConfigMap";
    return `${kind} "${notFound[2]}" does not exist`;
  }
  const noKey = /couldn't find key (\S+) in (ConfigMap|Secret) (\S+)/i.exec(text);
  if (noKey !== null) return `${noKey[2]} ${noKey[3]} has no key "${noKey[1]}"`;
  return null;
}

function envReferences(spec: Spec): string[] {
  const refs: string[] = [];
  const add = (kind: string, ref: unknown): void => {
    const name = tidy(asString(asObject(ref)?.name));
    const label = `${kind} "${name}"`;
    if (name !== "" && !refs.includes(label)) refs.push(label);
  };
  for (const e of asArray(spec?.env)) {
    const from = asObject(asObject(e)?.valueFrom);
    add("ConfigMap", from?.configMapKeyRef);
    add("Secret", from?.secretKeyRef);
  }
  for (const e of asArray(spec?.envFrom)) {
    add("ConfigMap", asObject(e)?.configMapRef);
    add("Secret", asObject(e)?.secretRef);
  }
  return refs;
}

export function configErrorMessage(c: ContainerSummary, spec: Spec): string {
  const missing = missingReference(c.message);
  const refs = envReferences(spec);
  const what = missing ?? "a ConfigMap or Secret it references is missing or lacks a key";
  const referenced = refs.length > 0 ? ` (it references ${refs.join(", ")})` : "";
  return `${containerLabel(c)} cannot be created (CreateContainerConfigError): ${what}${referenced}${kubeletSays(c.message)}`;
}

export function waitingFailureMessage(subject: Subject, c: ContainerSummary): string {
  return `${containerLabel(c)} is waiting (${c.reason !== null ? tidy(c.reason) : "unknown reason"})${kubeletSays(c.message)}; ${describeHint(subject)}`;
}

// Messages name times absolutely, never "2m ago": a message that changed on every reconcile would rewrite the
// report each time.
export function recentRestartMessage(subject: Subject, c: ContainerSummary, spec: Spec): string {
  const at = tidy(c.lastTermination?.finishedAt ?? "an unknown time");
  if (c.lastTermination?.reason === "OOMKilled") {
    return `${containerLabel(c)} was OOMKilled at ${at} and restarted (${restartsPhrase(c.restartCount)}); ${memoryAdvice(spec)}`;
  }
  return `${containerLabel(c)} restarted at ${at} (${restartsPhrase(c.restartCount)}, ${lastExit(c)}): ${logsHint(subject, c, true)}`;
}

function describeProbe(probe: unknown): string | null {
  const p = asObject(probe);
  if (p === undefined) return null;
  const http = asObject(p.httpGet);
  if (http !== undefined) {
    const scheme = asString(http.scheme).toLowerCase() === "https" ? "https" : "http";
    return `http-get ${scheme}://${tidy(asString(http.host))}:${tidy(String(http.port ?? ""))}${tidy(asString(http.path))}`;
  }
  const tcp = asObject(p.tcpSocket);
  if (tcp !== undefined) return `tcp-socket ${tidy(asString(tcp.host))}:${tidy(String(tcp.port ?? ""))}`;
  const grpc = asObject(p.grpc);
  if (grpc !== undefined) return `grpc :${tidy(String(grpc.port ?? ""))}`;
  const exec = asObject(p.exec);
  if (exec !== undefined) return `exec [${tidy(asArray(exec.command).map(String).join(" "))}]`;
  return "probe";
}

export function notReadyMessage(c: ContainerSummary, spec: Spec): string {
  if (c.state === "running") {
    if (!c.started) {
      const startup = describeProbe(spec?.startupProbe);
      if (startup !== null) return `${containerLabel(c)} is running but has not passed its startup probe yet (${startup})`;
    }
    const readiness = describeProbe(spec?.readinessProbe);
    return readiness !== null
      ? `${containerLabel(c)} is running but not ready: check its readiness probe (${readiness})`
      : `${containerLabel(c)} is running but not ready`;
  }
  const state = c.state === "unknown" ? "its state is unknown" : `it is ${c.state}${c.reason !== null ? ` (${tidy(c.reason)})` : ""}`;
  return `${containerLabel(c)} is not running: ${state}`;
}

export function podNotReadyMessage(podSpec: Spec, readyCondition: Record<string, unknown> | undefined, conditions: readonly unknown[]): string {
  const failing: string[] = [];
  for (const g of asArray(podSpec?.readinessGates)) {
    const type = asString(asObject(g)?.conditionType);
    if (type === "") continue;
    let ok = false;
    for (const c of conditions) {
      const cond = asObject(c);
      if (cond !== undefined && cond.type === type) {
        ok = cond.status === "True";
        break;
      }
    }
    if (!ok) failing.push(tidy(type));
  }
  if (failing.length > 0) return `pod is not Ready: readiness gate ${failing.join(", ")} is not True`;
  const reason = tidy(asString(readyCondition?.reason));
  const message = tidy(asString(readyCondition?.message));
  return `pod is not Ready${reason !== "" ? ` (${reason})` : ""}${message !== "" ? `: ${message}` : ""}`;
}

export function initProgressMessage(c: ContainerSummary | undefined, index: number, total: number): string {
  if (c === undefined) return "waiting for the init containers to finish";
  const position = `(${index + 1} of ${total})`;
  if (c.kind === "sidecar") return `${containerLabel(c)} ${position} is starting`;
  return c.state === "running"
    ? `${containerLabel(c)} ${position} is running`
    : `${containerLabel(c)} ${position} is waiting to start`;
}

/** Past this, a pod that is still being created or scheduled is probably stuck: point at its events. */
export const STUCK_AFTER_MS = 5 * 60_000;

export function stuckHint(metadata: Record<string, unknown> | undefined, waitedMs: number): string {
  return waitedMs > STUCK_AFTER_MS ? `; waiting for more than 5m: ${describeHint(subjectOf(metadata))}` : "";
}

export function creatingMessage(metadata: Record<string, unknown> | undefined, c: ContainerSummary, pendingForMs: number): string {
  const stuck = stuckHint(metadata, pendingForMs);
  return `${containerLabel(c)} is being created (ContainerCreating)${kubeletSays(c.message)}${stuck}`;
}

export function terminatingMessage(subject: Subject, metadata: Record<string, unknown> | undefined, overdueMs: number): string {
  const base = `pod is being deleted`;
  // A minute past the deadline is slack for the kubelet; beyond it, something holds the pod.
  if (!(overdueMs > 60_000)) return `${base}; its containers are shutting down`;
  const deadline = metadata?.deletionTimestamp;
  const at = typeof deadline === "string" ? tidy(deadline) : deadline instanceof Date && !Number.isNaN(deadline.getTime()) ? deadline.toISOString() : "";
  const finalizers = asArray(metadata?.finalizers)
    .filter((f): f is string => typeof f === "string")
    .map(tidy);
  const check = finalizers.length > 0 ? `check its finalizers (${finalizers.join(", ")})` : "check the node's kubelet";
  return `${base} and is past its grace period (${at}): ${check}; ${describeHint(subject)}`;
}
