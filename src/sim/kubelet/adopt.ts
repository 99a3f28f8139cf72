// Pods the kubelet did not create (`kubectl run`, `kubectl apply -f pod.yaml`): the scenario their annotation
// `sim.podhealth.io/scenario` names (healthy when there is none) is mapped onto their own containers, so a user's
// busybox crash-loops as the catalogue's `crashloop` pod does. The scenario's pod is planned as usual and its
// behaviours are handed to the user's containers: its main container's to the first regular container, its init
// container's to the first init container, its fate (eviction, node loss, deletion) to the pod.
import type { KubeObject } from "../types.js";
import { healthyContainer, type ContainerBehaviour, type PodBehaviour } from "./behaviour.js";
import type { Rng } from "./random.js";
import { NOT_FOUND, planPod, POD_SCENARIOS, SCENARIO_ANNOTATION, type PodPlan, type PodScenario } from "./scenarios.js";

interface ContainerSpec {
  name?: string;
  image?: string;
}

export interface AdoptionPlan {
  plan: PodPlan;
  /** Why the pod runs something other than what it asked for: the text of a Warning event on it. */
  warning?: string;
}

function isPodScenario(name: string): name is PodScenario {
  return (POD_SCENARIOS as readonly string[]).includes(name);
}

/** The plan for a pod created through the API; `pod` is the stored object. */
export function adoptionPlan(pod: KubeObject, rng: Rng): AdoptionPlan {
  const requested = pod.metadata?.annotations?.[SCENARIO_ANNOTATION];
  let scenario: PodScenario = "healthy";
  let warning: string | undefined;
  if (requested !== undefined && isPodScenario(requested)) scenario = requested;
  else if (requested !== undefined) {
    warning = `unknown scenario "${requested}" in annotation ${SCENARIO_ANNOTATION}, running healthy; choose one of: ${POD_SCENARIOS.join(", ")}`;
  }
  const spec = (pod.spec ?? {}) as { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
  const containers = spec.containers ?? [];
  const inits = spec.initContainers ?? [];
  if (scenario === "init-failure" && inits.length === 0) {
    warning = `scenario "init-failure" acts on an init container and this pod has none, running healthy`;
    scenario = "healthy";
  }

  const template = planPod(scenario, { namespace: pod.metadata?.namespace ?? "default", name: pod.metadata?.name ?? "" }, rng);
  const templateSpec = (template.pod.spec ?? {}) as { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
  const mainBehaviour = template.behaviour.containers[templateSpec.containers?.[0]?.name ?? ""];
  const initBehaviour = template.behaviour.containers[templateSpec.initContainers?.[0]?.name ?? ""];

  const behaviour: PodBehaviour = { containers: {} };
  containers.forEach((c, i) => {
    let b: ContainerBehaviour = healthyContainer({ pullMs: rng.int(1500, 6000) });
    // A missing image fails to pull under the name the user gave it.
    if (i === 0 && mainBehaviour !== undefined) b = { ...mainBehaviour, ...(mainBehaviour.pullError !== undefined ? { pullError: NOT_FOUND(c.image ?? "") } : {}) };
    behaviour.containers[c.name ?? ""] = b;
  });
  inits.forEach((c, i) => {
    // An init container that behaves runs to completion, as a migration does.
    behaviour.containers[c.name ?? ""] = i === 0 && initBehaviour !== undefined ? initBehaviour : healthyContainer({ pullMs: rng.int(800, 2000), completeAfterMs: 3000 });
  });
  if (template.behaviour.fate !== undefined) behaviour.fate = template.behaviour.fate;
  return { plan: { scenario, pod, behaviour }, warning };
}
