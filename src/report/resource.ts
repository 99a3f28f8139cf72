// The PodHealthReport resource's coordinates, in one place for the builder, the controller and the CRD test.

export const GROUP = "podhealth.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "PodHealthReport";
export const PLURAL = "podhealthreports";
export const SINGULAR = "podhealthreport";
export const SHORT_NAME = "phr";
/** The key in kubectl's `plural.group` notation, as the simulated API server's store names resources. */
export const RESOURCE_KEY = `${PLURAL}.${GROUP}`;
/** The label every report carries, so that the operator can list what it owns. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "pod-health-operator";
