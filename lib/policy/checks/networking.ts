import {
  asArray, asRecord, asString, asStringMap, containerPorts, containersOf, Entry, joinPath, labelSelectorMatches,
  labelsMatch, PodTemplate, PolicyContext,
} from '../context';

const PROMETHEUS_PORT = 'prometheus.io/port';

/** GP-SERVICE-SELECTOR, GP-ROUTE-BACKEND, GP-INGRESS-TLS, GP-NETWORK-POLICY, GP-PROMETHEUS-PORT. @internal */
export function checkNetworking(ctx: PolicyContext): void {
  const templates = ctx.podTemplates();
  checkServices(ctx, templates);
  checkIngresses(ctx);
  for (const kind of ['HTTPRoute', 'GRPCRoute']) {
    for (const route of ctx.ofKind(kind)) {
      checkRoute(ctx, route);
    }
  }
  checkNetworkPolicies(ctx, templates);
  for (const t of templates) {
    const port = t.annotations[PROMETHEUS_PORT];
    if (port !== undefined && !declaresPort(t, port)) {
      ctx.report(t.entry, 'GP-PROMETHEUS-PORT', joinPath(`${t.metadataPath}.annotations`, PROMETHEUS_PORT),
        `${PROMETHEUS_PORT} ${JSON.stringify(port)} is not a declared container port`);
    }
  }
}

function checkServices(ctx: PolicyContext, templates: readonly PodTemplate[]): void {
  for (const svc of ctx.ofKind('Service')) {
    const spec = asRecord(svc.manifest.spec);
    const selector = asStringMap(spec.selector);
    if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) {
      continue; // endpoints are managed by hand or by DNS
    }
    const pods = templates.filter((t) => t.entry.ref.kind !== 'Job' && t.entry.ref.kind !== 'CronJob'
      && t.entry.namespace === svc.namespace && labelsMatch(selector, t.labels));
    if (pods.length === 0) {
      ctx.report(svc, 'GP-SERVICE-SELECTOR', 'spec.selector',
        `selector ${JSON.stringify(selector)} matches no pod template in namespace ${JSON.stringify(svc.namespace)}`);
      continue;
    }
    asArray(spec.ports).forEach((p, i) => {
      const target = asRecord(p).targetPort;
      if (typeof target === 'string' && !pods.some((t) => declaresPortName(t, target))) {
        ctx.report(svc, 'GP-SERVICE-SELECTOR', `spec.ports[${i}].targetPort`,
          `targetPort ${JSON.stringify(target)} is not a container port name of the selected pods`);
      }
    });
    const metricsPort = asStringMap(asRecord(svc.manifest.metadata).annotations)[PROMETHEUS_PORT];
    if (metricsPort !== undefined && !pods.some((t) => declaresPort(t, metricsPort))) {
      ctx.report(svc, 'GP-PROMETHEUS-PORT', joinPath('metadata.annotations', PROMETHEUS_PORT),
        `${PROMETHEUS_PORT} ${JSON.stringify(metricsPort)} is not a container port of the selected pods`);
    }
  }
}

function checkIngresses(ctx: PolicyContext): void {
  for (const ing of ctx.ofKind('Ingress')) {
    const spec = asRecord(ing.manifest.spec);
    if (spec.defaultBackend !== undefined) {
      checkIngressBackend(ctx, ing, spec.defaultBackend, 'spec.defaultBackend');
    }
    const tlsHosts = asArray(spec.tls).flatMap((t) => asArray(asRecord(t).hosts)).filter((h): h is string => typeof h === 'string');
    asArray(spec.rules).forEach((r, i) => {
      const rule = asRecord(r);
      const host = asString(rule.host);
      if (host !== undefined && !tlsHosts.some((h) => hostCovered(h, host))) {
        ctx.report(ing, 'GP-INGRESS-TLS', `spec.rules[${i}].host`, `host ${JSON.stringify(host)} has no TLS entry in spec.tls`);
      }
      asArray(asRecord(rule.http).paths).forEach((p, j) => {
        checkIngressBackend(ctx, ing, asRecord(p).backend, `spec.rules[${i}].http.paths[${j}].backend`);
      });
    });
  }
}

function checkIngressBackend(ctx: PolicyContext, ing: Entry, backend: unknown, path: string): void {
  const service = asRecord(asRecord(backend).service);
  const name = asString(service.name);
  if (name === undefined) {
    return; // a resource backend, or a schema error
  }
  const port = asRecord(service.port);
  checkServicePort(ctx, ing, name, ing.namespace, port.number ?? port.name, `${path}.service`);
}

function checkRoute(ctx: PolicyContext, route: Entry): void {
  asArray(asRecord(route.manifest.spec).rules).forEach((r, i) => {
    asArray(asRecord(r).backendRefs).forEach((b, j) => {
      const ref = asRecord(b);
      const group = asString(ref.group) ?? '';
      const kind = asString(ref.kind) ?? 'Service';
      const name = asString(ref.name);
      if (group !== '' || kind !== 'Service' || name === undefined) {
        return; // only core Services can be resolved in the set
      }
      const namespace = asString(ref.namespace) ?? route.namespace;
      const path = `spec.rules[${i}].backendRefs[${j}]`;
      if (ref.port === undefined) {
        ctx.report(route, 'GP-ROUTE-BACKEND', `${path}.port`, `backend Service ${JSON.stringify(name)} needs a port`);
        return;
      }
      checkServicePort(ctx, route, name, namespace, ref.port, path);
    });
  });
}

/** Reports a backend whose Service is missing, or that lacks the port (by number or name). */
function checkServicePort(ctx: PolicyContext, from: Entry, name: string, namespace: string | undefined, port: unknown, path: string): void {
  const svc = ctx.get('Service', namespace, name);
  if (!svc) {
    if (!ctx.exists('Service', namespace, name, from)) {
      ctx.report(from, 'GP-ROUTE-BACKEND', `${path}.name`, `Service ${namespace}/${name} is not in the set and not declared external`);
    }
    return;
  }
  if (port === undefined) {
    return;
  }
  const ports = asArray(asRecord(svc.manifest.spec).ports).map(asRecord);
  const found = typeof port === 'number' ? ports.some((p) => p.port === port) : ports.some((p) => p.name === port);
  if (!found) {
    ctx.report(from, 'GP-ROUTE-BACKEND', `${path}.port`, `Service ${namespace}/${name} has no port ${JSON.stringify(port)}`);
  }
}

function checkNetworkPolicies(ctx: PolicyContext, templates: readonly PodTemplate[]): void {
  const policies = ctx.ofKind('NetworkPolicy');
  for (const t of templates) {
    if (t.entry.ref.kind === 'Pod' && asRecord(t.entry.manifest.metadata).ownerReferences !== undefined) {
      continue;
    }
    const selected = policies.some((np) => np.namespace === t.entry.namespace
      && labelSelectorMatches(asRecord(np.manifest.spec).podSelector, t.labels));
    if (!selected) {
      ctx.report(t.entry, 'GP-NETWORK-POLICY', t.metadataPath === 'metadata' ? 'metadata.labels' : `${t.metadataPath}.labels`,
        `no NetworkPolicy in namespace ${JSON.stringify(t.entry.namespace)} selects these pods`);
    }
  }
}

function hostCovered(tlsHost: string, host: string): boolean {
  if (tlsHost === host) {
    return true;
  }
  // A wildcard covers exactly one left-most label.
  return tlsHost.startsWith('*.') && host.slice(host.indexOf('.') + 1) === tlsHost.slice(2) && host.indexOf('.') > 0;
}

function declaresPortName(t: PodTemplate, name: string): boolean {
  return containersOf(t).some((c) => containerPorts(c.container).some((p) => p.name === name));
}

function declaresPort(t: PodTemplate, value: string): boolean {
  const n = Number(value);
  return containersOf(t).some((c) => containerPorts(c.container).some((p) => p.port === n));
}
