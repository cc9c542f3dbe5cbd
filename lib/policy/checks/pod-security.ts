import {
  asArray, asRecord, asString, ContainerRef, containersOf, isRecord, joinPath, PodTemplate, PolicyContext,
} from '../context';
import { PodSecurityLevel } from '../types';

/**
 * The Pod Security Standards, baseline and restricted profiles, as published
 * for Kubernetes 1.27+ (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 */

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** All GP-PSS-* rules, at the level enforced in each object's namespace. @internal */
export function checkPodSecurity(ctx: PolicyContext): void {
  for (const template of ctx.podTemplates()) {
    const level = ctx.podSecurityLevel(template.entry.namespace);
    if (level === PodSecurityLevel.PRIVILEGED) {
      continue;
    }
    baseline(ctx, template);
    if (level === PodSecurityLevel.RESTRICTED) {
      restricted(ctx, template);
    }
  }
}

function baseline(ctx: PolicyContext, t: PodTemplate): void {
  const { entry, spec, specPath } = t;
  const podSc = asRecord(spec.securityContext);
  const podScPath = `${specPath}.securityContext`;
  const containers = containersOf(t);

  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) {
      ctx.report(entry, 'GP-PSS-HOST-NAMESPACES', `${specPath}.${field}`, `${field} must be unset or false`);
    }
  }
  if (asRecord(podSc.windowsOptions).hostProcess === true) {
    ctx.report(entry, 'GP-PSS-HOST-PROCESS', `${podScPath}.windowsOptions.hostProcess`, 'hostProcess must be unset or false');
  }
  asArray(spec.volumes).forEach((v, i) => {
    if (isRecord(v) && v.hostPath !== undefined) {
      ctx.report(entry, 'GP-PSS-HOST-PATH', `${specPath}.volumes[${i}].hostPath`, `volume ${JSON.stringify(v.name)} is a hostPath volume`);
    }
  });
  asArray(podSc.sysctls).forEach((s, i) => {
    const name = asString(asRecord(s).name) ?? '';
    if (!SAFE_SYSCTLS.has(name)) {
      ctx.report(entry, 'GP-PSS-SYSCTLS', `${podScPath}.sysctls[${i}].name`, `sysctl ${JSON.stringify(name)} is not in the safe set`);
    }
  });
  checkSecurityOptions(ctx, t, podSc, podScPath);
  for (const [key, value] of Object.entries(t.annotations)) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      ctx.report(entry, 'GP-PSS-APPARMOR', joinPath(`${t.metadataPath}.annotations`, key), `AppArmor profile ${JSON.stringify(value)} must be runtime/default or localhost/*`);
    }
  }

  for (const c of containers) {
    const sc = asRecord(c.container.securityContext);
    const scPath = `${c.path}.securityContext`;
    if (sc.privileged === true) {
      ctx.report(entry, 'GP-PSS-PRIVILEGED', `${scPath}.privileged`, `container ${name(c)} must not be privileged`);
    }
    if (asRecord(sc.windowsOptions).hostProcess === true) {
      ctx.report(entry, 'GP-PSS-HOST-PROCESS', `${scPath}.windowsOptions.hostProcess`, 'hostProcess must be unset or false');
    }
    asArray(asRecord(sc.capabilities).add).forEach((cap, i) => {
      if (typeof cap !== 'string' || !BASELINE_CAPABILITIES.has(cap)) {
        ctx.report(entry, 'GP-PSS-CAPABILITIES-ADD', `${scPath}.capabilities.add[${i}]`, `capability ${JSON.stringify(cap)} is not allowed`);
      }
    });
    asArray(c.container.ports).forEach((p, i) => {
      const hostPort = asRecord(p).hostPort;
      if (hostPort !== undefined && hostPort !== 0) {
        ctx.report(entry, 'GP-PSS-HOST-PORTS', `${c.path}.ports[${i}].hostPort`, `hostPort ${String(hostPort)} must be unset or 0`);
      }
    });
    if (sc.procMount !== undefined && sc.procMount !== 'Default') {
      ctx.report(entry, 'GP-PSS-PROC-MOUNT', `${scPath}.procMount`, `procMount ${JSON.stringify(sc.procMount)} must be Default`);
    }
    checkSecurityOptions(ctx, t, sc, scPath);
  }
}

/** AppArmor, SELinux and seccomp "not unconfined" checks shared by pod and container security contexts. */
function checkSecurityOptions(ctx: PolicyContext, t: PodTemplate, sc: Record<string, unknown>, scPath: string): void {
  const apparmor = asRecord(sc.appArmorProfile).type;
  if (apparmor !== undefined && apparmor !== 'RuntimeDefault' && apparmor !== 'Localhost') {
    ctx.report(t.entry, 'GP-PSS-APPARMOR', `${scPath}.appArmorProfile.type`, `AppArmor profile ${JSON.stringify(apparmor)} must be RuntimeDefault or Localhost`);
  }
  const se = asRecord(sc.seLinuxOptions);
  if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type))) {
    ctx.report(t.entry, 'GP-PSS-SELINUX', `${scPath}.seLinuxOptions.type`, `SELinux type ${JSON.stringify(se.type)} is not a container type`);
  }
  for (const field of ['user', 'role']) {
    if (se[field] !== undefined && se[field] !== '') {
      ctx.report(t.entry, 'GP-PSS-SELINUX', `${scPath}.seLinuxOptions.${field}`, `SELinux ${field} must be unset`);
    }
  }
  const seccomp = asRecord(sc.seccompProfile).type;
  if (seccomp === 'Unconfined') {
    ctx.report(t.entry, 'GP-PSS-SECCOMP-UNCONFINED', `${scPath}.seccompProfile.type`, 'seccompProfile must not be Unconfined');
  }
}

function restricted(ctx: PolicyContext, t: PodTemplate): void {
  const { entry, spec, specPath } = t;
  const podSc = asRecord(spec.securityContext);
  const podScPath = `${specPath}.securityContext`;
  // The restricted profile exempts Windows pods from the Linux-only controls.
  const windows = asRecord(spec.os).name === 'windows';

  asArray(spec.volumes).forEach((v, i) => {
    const volume = asRecord(v);
    const types = Object.keys(volume).filter((k) => k !== 'name');
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type) && type !== 'hostPath') {
        ctx.report(entry, 'GP-PSS-VOLUME-TYPES', `${specPath}.volumes[${i}].${type}`, `volume ${JSON.stringify(volume.name)} of type ${type} is not allowed`);
      }
    }
  });

  const podNonRoot = podSc.runAsNonRoot === true;
  if (podSc.runAsNonRoot === false) {
    ctx.report(entry, 'GP-PSS-RUN-AS-NON-ROOT', `${podScPath}.runAsNonRoot`, 'runAsNonRoot must not be false');
  }
  if (podSc.runAsUser === 0) {
    ctx.report(entry, 'GP-PSS-RUN-AS-USER', `${podScPath}.runAsUser`, 'runAsUser must not be 0');
  }
  const podSeccomp = asRecord(podSc.seccompProfile).type;
  const podSeccompOk = podSeccomp === 'RuntimeDefault' || podSeccomp === 'Localhost';
  if (podSeccomp !== undefined && !podSeccompOk && podSeccomp !== 'Unconfined') {
    ctx.report(entry, 'GP-PSS-SECCOMP', `${podScPath}.seccompProfile.type`, `seccompProfile ${JSON.stringify(podSeccomp)} must be RuntimeDefault or Localhost`);
  }

  for (const c of containersOf(t)) {
    const sc = asRecord(c.container.securityContext);
    const scPath = `${c.path}.securityContext`;
    if (sc.runAsNonRoot === false) {
      ctx.report(entry, 'GP-PSS-RUN-AS-NON-ROOT', `${scPath}.runAsNonRoot`, `container ${name(c)}: runAsNonRoot must not be false`);
    } else if (!podNonRoot && sc.runAsNonRoot !== true) {
      ctx.report(entry, 'GP-PSS-RUN-AS-NON-ROOT', `${scPath}.runAsNonRoot`, `container ${name(c)}: runAsNonRoot must be true here or in ${podScPath}`);
    }
    if (sc.runAsUser === 0) {
      ctx.report(entry, 'GP-PSS-RUN-AS-USER', `${scPath}.runAsUser`, `container ${name(c)}: runAsUser must not be 0`);
    }
    if (windows) {
      continue;
    }
    if (sc.allowPrivilegeEscalation !== false) {
      ctx.report(entry, 'GP-PSS-PRIVILEGE-ESCALATION', `${scPath}.allowPrivilegeEscalation`, `container ${name(c)}: allowPrivilegeEscalation must be false`);
    }
    const seccomp = asRecord(sc.seccompProfile).type;
    if (seccomp === undefined ? !podSeccompOk : seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost' && seccomp !== 'Unconfined') {
      ctx.report(entry, 'GP-PSS-SECCOMP', `${scPath}.seccompProfile.type`, `container ${name(c)}: seccompProfile must be RuntimeDefault or Localhost here or in ${podScPath}`);
    }
    const caps = asRecord(sc.capabilities);
    if (!asArray(caps.drop).includes('ALL')) {
      ctx.report(entry, 'GP-PSS-CAPABILITIES', `${scPath}.capabilities.drop`, `container ${name(c)}: capabilities must drop ALL`);
    }
    asArray(caps.add).forEach((cap, i) => {
      if (cap !== 'NET_BIND_SERVICE' && typeof cap === 'string' && BASELINE_CAPABILITIES.has(cap)) {
        ctx.report(entry, 'GP-PSS-CAPABILITIES', `${scPath}.capabilities.add[${i}]`, `container ${name(c)}: only NET_BIND_SERVICE may be added, not ${cap}`);
      }
    });
  }
}

function name(c: ContainerRef): string {
  return JSON.stringify(asString(c.container.name) ?? '?');
}
