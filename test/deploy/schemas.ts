// Validation of manifests against the Kubernetes OpenAPI schemas, through kubernetes-models (the generated models
// of the upstream API, with the JSON-schema validator compiled in) and @kubernetes-models/prometheus-operator for
// the monitoring.coreos.com kinds. Types, enums, required fields and formats are checked; unknown fields are not
// (the library's schemas allow them), which kubectl's server-side strict validation catches on a real cluster.
import type { Model } from "@kubernetes-models/base";
import { PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import type { Manifest } from "./helpers.js";

type ModelClass = { apiVersion: string; kind: string; new (data: never): Model<unknown> };

const MODELS: readonly ModelClass[] = [
  Namespace,
  Service,
  ServiceAccount,
  Deployment,
  StatefulSet,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  NetworkPolicy,
  PodDisruptionBudget,
  CustomResourceDefinition,
  ServiceMonitor,
  PrometheusRule,
] as unknown as ModelClass[];

/** The schema errors of one manifest ("" when it is valid); an object of a kind without a model is an error too. */
export function schemaErrors(m: Manifest): string {
  const model = MODELS.find((c) => c.apiVersion === m.apiVersion && c.kind === m.kind);
  if (model === undefined) return `no schema known for ${m.apiVersion} ${m.kind}`;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { file, ...object } = m;
  try {
    new model(object as never).validate();
    return "";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
