import { PodSecurityLevel, RuleDoc, Severity } from './types';

const E = Severity.ERROR;
const W = Severity.WARNING;
const BASELINE = PodSecurityLevel.BASELINE;
const RESTRICTED = PodSecurityLevel.RESTRICTED;

/**
 * Every rule of the policy gate with its severity, reason and fix. The rules
 * table of docs/policy.md must match this list (test/docs.test.ts).
 */
export const POLICY_RULES: readonly RuleDoc[] = [
  // Schema
  {
    id: 'GP-SCHEMA-KIND', severity: E, title: 'apiVersion/kind is known, served by Kubernetes 1.27+, and the object has a name',
    reason: 'The API server rejects kinds it does not serve; removed beta versions fail on upgrade.',
    fix: 'Use a served apiVersion (e.g. apps/v1, policy/v1, autoscaling/v2, gateway.networking.k8s.io/v1) and set metadata.name.',
  },
  {
    id: 'GP-SCHEMA-INVALID', severity: E, title: 'The object matches the OpenAPI/CRD schema of its kind (types, enums, required fields, formats)',
    reason: 'The API server rejects objects that do not match the schema, so the apply fails half way.',
    fix: 'Correct the field named in the finding to the type and values the schema allows.',
  },
  {
    id: 'GP-SCHEMA-UNKNOWN-FIELD', severity: E, title: 'No field unknown to the schema of the kind',
    reason: 'Unknown fields are dropped or rejected by the API server (strict field validation), usually a typo or a field of another version.',
    fix: 'Remove the field or correct its spelling and nesting.',
  },
  {
    id: 'GP-DUPLICATE', severity: E, title: 'No two objects with the same API group, kind, namespace and name in one cluster',
    reason: 'The API server stores them as one object: the one applied last silently replaces the other.',
    fix: 'Give one of them another name or namespace, or check each cluster\'s output separately (one invocation per cluster folder, or --clusters).',
  },
  {
    id: 'GP-SCHEMA-VERSION', severity: E, title: 'No kind or field newer than the target Kubernetes version',
    reason: 'A cluster older than the API an object was written for does not serve the kind, and drops or rejects the field (strict field validation), so the feature silently does nothing.',
    fix: 'Set the target to the version the cluster runs (kubernetesVersion, --kubernetes-version), or remove the kind or field the finding names.',
  },
  // Suppressions
  {
    id: 'GP-SUPPRESS', severity: E, title: 'Every suppression annotation names known rules and gives a reason',
    reason: 'A suppression without a reason hides a risk nobody can review later.',
    fix: 'Write `policy.cdk8s-go-platform.io/disable: "GP-RULE-ID: why this object is an exception"` (several entries separated by ";").',
  },
  // Pod Security Standards: baseline
  {
    id: 'GP-PSS-HOST-NAMESPACES', severity: E, level: BASELINE, title: 'hostNetwork, hostPID and hostIPC are unset or false',
    reason: 'Sharing host namespaces lets a pod see and reach host processes and interfaces.',
    fix: 'Remove hostNetwork/hostPID/hostIPC, or run the workload in a namespace with a documented privileged exception.',
  },
  {
    id: 'GP-PSS-PRIVILEGED', severity: E, level: BASELINE, title: 'No privileged container',
    reason: 'A privileged container has every capability and device of the host.',
    fix: 'Remove securityContext.privileged; grant only the capabilities needed.',
  },
  {
    id: 'GP-PSS-CAPABILITIES-ADD', severity: E, level: BASELINE, title: 'capabilities.add stays within the baseline default set',
    reason: 'Capabilities beyond the container runtime defaults (e.g. SYS_ADMIN, NET_ADMIN) allow escaping the container.',
    fix: 'Drop the added capability; at most add NET_BIND_SERVICE.',
  },
  {
    id: 'GP-PSS-HOST-PATH', severity: E, level: BASELINE, title: 'No hostPath volume',
    reason: 'hostPath volumes read and write the node file system.',
    fix: 'Use emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim.',
  },
  {
    id: 'GP-PSS-HOST-PORTS', severity: E, level: BASELINE, title: 'No hostPort',
    reason: 'Host ports bind on the node, bypass NetworkPolicy and limit scheduling.',
    fix: 'Remove hostPort and expose the port through a Service.',
  },
  {
    id: 'GP-PSS-APPARMOR', severity: E, level: BASELINE, title: 'AppArmor profile is RuntimeDefault or Localhost, never Unconfined',
    reason: 'An unconfined AppArmor profile removes a kernel-level sandbox.',
    fix: 'Remove the override or set appArmorProfile.type to RuntimeDefault.',
  },
  {
    id: 'GP-PSS-SELINUX', severity: E, level: BASELINE, title: 'SELinux type is a container type; user and role are unset',
    reason: 'Custom SELinux users, roles or types can lift the confinement of the container.',
    fix: 'Remove seLinuxOptions.user/role; use type container_t, container_init_t, container_kvm_t or container_engine_t.',
  },
  {
    id: 'GP-PSS-PROC-MOUNT', severity: E, level: BASELINE, title: 'procMount is Default',
    reason: 'An unmasked /proc exposes host information.',
    fix: 'Remove securityContext.procMount.',
  },
  {
    id: 'GP-PSS-SECCOMP-UNCONFINED', severity: E, level: BASELINE, title: 'seccompProfile is never Unconfined',
    reason: 'Without seccomp every system call reaches the kernel.',
    fix: 'Set seccompProfile.type to RuntimeDefault.',
  },
  {
    id: 'GP-PSS-SYSCTLS', severity: E, level: BASELINE, title: 'Only safe sysctls',
    reason: 'Unsafe sysctls change kernel settings shared with other pods.',
    fix: 'Remove the sysctl, or use one of the namespaced safe set (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes).',
  },
  {
    id: 'GP-PSS-HOST-PROCESS', severity: E, level: BASELINE, title: 'No Windows HostProcess container',
    reason: 'HostProcess containers run with host privileges on Windows nodes.',
    fix: 'Remove windowsOptions.hostProcess.',
  },
  // Pod Security Standards: restricted
  {
    id: 'GP-PSS-VOLUME-TYPES', severity: E, level: RESTRICTED, title: 'Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes',
    reason: 'Other volume types mount node or network storage directly, outside the storage API.',
    fix: 'Replace the volume with a PersistentVolumeClaim or one of the allowed types.',
  },
  {
    id: 'GP-PSS-PRIVILEGE-ESCALATION', severity: E, level: RESTRICTED, title: 'allowPrivilegeEscalation is false in every container',
    reason: 'setuid binaries could otherwise gain more privileges than the container started with.',
    fix: 'Set securityContext.allowPrivilegeEscalation: false on each container.',
  },
  {
    id: 'GP-PSS-RUN-AS-NON-ROOT', severity: E, level: RESTRICTED, title: 'runAsNonRoot is true for the pod or every container',
    reason: 'Processes running as root inside a container are one bug away from root on the node.',
    fix: 'Set spec.securityContext.runAsNonRoot: true and build the image with a numeric non-root USER.',
  },
  {
    id: 'GP-PSS-RUN-AS-USER', severity: E, level: RESTRICTED, title: 'runAsUser is never 0',
    reason: 'UID 0 is root.',
    fix: 'Set runAsUser to a non-zero UID (e.g. 65532) or remove it.',
  },
  {
    id: 'GP-PSS-SECCOMP', severity: E, level: RESTRICTED, title: 'seccompProfile is RuntimeDefault or Localhost for the pod or every container',
    reason: 'The restricted profile requires a seccomp filter on every container.',
    fix: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault.',
  },
  {
    id: 'GP-PSS-CAPABILITIES', severity: E, level: RESTRICTED, title: 'Every container drops ALL capabilities and adds at most NET_BIND_SERVICE',
    reason: 'Default capabilities (CHOWN, SETUID, NET_RAW, ...) are not needed by Go services and widen the attack surface.',
    fix: 'Set securityContext.capabilities.drop: ["ALL"] on each container.',
  },
  // Workload hygiene
  {
    id: 'GP-PROBES', severity: W, title: 'Every container has a liveness and a readiness probe',
    reason: 'Without readiness, traffic reaches pods that cannot serve; without liveness, hung processes are never restarted.',
    fix: 'Add livenessProbe and readinessProbe (and a startupProbe for slow starts).',
  },
  {
    id: 'GP-PROBE-PORT', severity: E, title: 'Probes point at a port the container declares (by name or number)',
    reason: 'A probe on an undeclared port fails at run time and restarts or withholds healthy pods.',
    fix: 'Declare the port in containers[].ports or point the probe at a declared port.',
  },
  {
    id: 'GP-RESOURCES', severity: W, title: 'Every container requests and limits CPU and memory',
    reason: 'Without requests the scheduler over-commits nodes; without limits one pod can starve its neighbours.',
    fix: 'Set resources.requests and resources.limits for cpu and memory.',
  },
  {
    id: 'GP-RESOURCES-LIMITS', severity: E, title: 'Limits are at least the requests',
    reason: 'The API server rejects a request greater than its limit.',
    fix: 'Raise the limit or lower the request.',
  },
  {
    id: 'GP-IMAGE-REFERENCE', severity: E, title: 'Image references follow the distribution reference grammar (lowercase repository path, registry host[:port], tag, sha256 digest)',
    reason: 'The kubelet rejects a malformed reference (e.g. an uppercase repository) with InvalidImageName: the pod never starts.',
    fix: 'Write the reference as [registry[:port]/]lowercase/path[:tag][@sha256:<64 hex>], e.g. registry.example.com:5000/shop/orders:1.4.2.',
  },
  {
    id: 'GP-IMAGE-TAG', severity: E, title: 'Images are pinned by a version tag or digest (no missing tag, no latest)',
    reason: 'Mutable tags make rollouts and rollbacks run code nobody reviewed.',
    fix: 'Use an immutable version tag (registry/app:1.4.2) or a digest (@sha256:...).',
  },
  // Availability
  {
    id: 'GP-PDB-MISSING', severity: W, title: 'Workloads with more than one replica have a PodDisruptionBudget',
    reason: 'Without a budget a node drain may evict every replica at once.',
    fix: 'Add a PodDisruptionBudget selecting the pods, e.g. maxUnavailable: 1.',
  },
  {
    id: 'GP-PDB-BLOCKS-DRAIN', severity: E, title: 'No PodDisruptionBudget that forbids every eviction',
    reason: 'maxUnavailable 0, or minAvailable of at least the replica count, blocks node drains and cluster upgrades.',
    fix: 'Use maxUnavailable: 1 (or a minAvailable below the replica count).',
  },
  {
    id: 'GP-HPA-TARGET', severity: E, title: 'HorizontalPodAutoscalers target a workload in the set',
    reason: 'An autoscaler whose target does not exist does nothing.',
    fix: 'Point scaleTargetRef at the Deployment/StatefulSet by apiVersion, kind and name, in the same namespace.',
  },
  {
    id: 'GP-HPA-RANGE', severity: E, title: 'HPA minReplicas <= maxReplicas',
    reason: 'The API server rejects an autoscaler whose minimum exceeds its maximum.',
    fix: 'Lower minReplicas or raise maxReplicas.',
  },
  // Networking
  {
    id: 'GP-SERVICE-SELECTOR', severity: E, title: 'Service selectors match a pod template in the same namespace, and target ports exist',
    reason: 'A Service that selects no pods, or a named targetPort no pod declares, has no endpoints.',
    fix: 'Align spec.selector with the pod template labels and targetPort with a container port.',
  },
  {
    id: 'GP-ROUTE-BACKEND', severity: E, title: 'Ingress, HTTPRoute and GRPCRoute backends name an existing Service and port',
    reason: 'Traffic to a missing backend fails with 503/500.',
    fix: 'Reference a Service in the set (or declared external) and one of its ports.',
  },
  {
    id: 'GP-INGRESS-TLS', severity: E, title: 'Every Ingress host is covered by a TLS entry',
    reason: 'Hosts without TLS serve credentials and cookies in clear text.',
    fix: 'Add the host to spec.tls[].hosts with a secretName.',
  },
  {
    id: 'GP-NETWORK-POLICY', severity: W, title: 'A NetworkPolicy selects every workload',
    reason: 'Pods no NetworkPolicy selects accept traffic from anywhere in the cluster.',
    fix: 'Add a NetworkPolicy whose podSelector matches the pods (GoMicroservice creates one).',
  },
  {
    id: 'GP-PROMETHEUS-PORT', severity: E, title: 'prometheus.io/port annotations name a declared container port',
    reason: 'Scrapes of an undeclared port fail and the service silently loses its metrics.',
    fix: 'Set the annotation to the number of the metrics containerPort.',
  },
  // References
  {
    id: 'GP-REF-MISSING', severity: E, title: 'Referenced ConfigMaps and ServiceAccounts exist in the set or are declared external',
    reason: 'Pods referencing a missing ConfigMap or ServiceAccount never start.',
    fix: 'Add the object, mark the reference optional, or declare it external (option `external` or annotation policy.cdk8s-go-platform.io/external).',
  },
  {
    id: 'GP-SECRET-MISSING', severity: W, title: 'Referenced Secrets exist in the set, are created by an ExternalSecret or SealedSecret in the set, or are declared external (an error with strictReferences)',
    reason: 'Pods referencing a Secret that nobody creates never start; Secrets usually live outside the manifests, so this is a warning unless strictReferences is set.',
    fix: 'Add an ExternalSecret (target name = the Secret) or SealedSecret of that name, mark the reference optional, or declare the Secret external (option `external` or annotation policy.cdk8s-go-platform.io/external).',
  },
  {
    id: 'GP-SECRET-LITERAL', severity: E, title: 'No Secret with literal values in data or stringData',
    reason: 'Credentials in manifests end up in git, CI logs and every copy of the output.',
    fix: 'Create the Secret out of band (External Secrets, Sealed Secrets, a vault) and reference it by name.',
  },
];

const BY_ID = new Map(POLICY_RULES.map((r) => [r.id, r]));

/** The documentation of one rule, or `undefined` for an unknown id. */
export function policyRule(id: string): RuleDoc | undefined {
  return BY_ID.get(id);
}
