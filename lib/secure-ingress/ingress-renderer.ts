import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { fail, show } from '../common/errors';
import { k8s } from '../common/plus';
import { Certificates, CertificateSourceKind, IssuerKind } from './certificates';
import { IIngressControllerProfile, IngressControllerRequest } from './ingress-controller-profile';
import { timeoutValue } from './options';
import { hostSlug, ResolvedRoute, ResolvedRouteTrack } from './route';
import { PathType } from './secure-ingress-props';

/** What the Ingress renderer needs from its `SecureIngress`. @internal */
export interface IngressRendererProps {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly ingressClassName: string;
  readonly profile: IIngressControllerProfile;
  /** TLS source; `undefined` for plain HTTP. */
  readonly certificates?: Certificates;
  /** The ingress-wide part of every request (everything but protocol, rewrite and timeouts). */
  readonly baseRequest: Omit<IngressControllerRequest, 'protocol' | 'rewritePrefix' | 'timeouts'>;
  /** Raw annotations, already checked against the profile. */
  readonly annotations: Record<string, string>;
}

interface Group {
  readonly ingress: k8s.KubeIngress;
  readonly routes: ResolvedRoute[];
}

interface CanaryGroup {
  readonly ingress: k8s.KubeIngress;
  readonly routes: ResolvedRoute[];
  readonly track: ResolvedRouteTrack;
}

/**
 * Renders routes as `networking.k8s.io/v1` Ingress objects. Routes whose
 * controller annotations differ (gRPC, a rewrite, their own timeouts) cannot
 * share an Ingress, so each distinct set gets one, named `<name>`, `<name>-2`,
 * ... in the order the routes were added. The first Ingress carries the
 * cert-manager annotation and TLS for every host, so cert-manager issues one
 * certificate per host; every Ingress has TLS for each of its own hosts.
 *
 * @internal
 */
export class IngressRenderer {
  public readonly ingresses: k8s.KubeIngress[] = [];

  private readonly groups = new Map<string, Group>();
  private readonly canaries = new Map<string, CanaryGroup>();
  /** Every host, in the order it was first routed. */
  private readonly hosts: string[] = [];

  public constructor(private readonly scope: Construct, private readonly props: IngressRendererProps) {}

  /** Adds a validated route; `prop` names the verb in messages. */
  public addRoute(route: ResolvedRoute, prop: string): void {
    const key = JSON.stringify([route.protocol, route.rewritePrefix ?? null, route.timeouts ?? null]);
    let group = this.groups.get(key);
    if (!group) {
      group = this.createGroup(route, prop);
      this.groups.set(key, group);
    }
    if (route.rewritePrefix !== undefined && this.props.profile.rewritePath(route.path, route.rewritePrefix) === undefined) {
      fail(this.scope, `${prop} rewritePrefix (${show(route.rewritePrefix)}) cannot be expressed by the ${this.props.profile.name} profile: it cannot rewrite paths`);
    }
    if (!this.hosts.includes(route.host)) {
      this.hosts.push(route.host);
    }
    group.routes.push(route);
    for (const track of route.tracks ?? []) {
      this.addCanary(route, track, group, key, prop);
    }
  }

  /**
   * A release track becomes a second Ingress with the same hosts and paths,
   * sending to the track's Service, marked as a canary of the first by the
   * profile's annotations.
   */
  private addCanary(route: ResolvedRoute, track: ResolvedRouteTrack, main: Group, mainKey: string, prop: string): void {
    const p = this.props;
    const request = { weight: track.weight, header: track.header };
    const annotations = p.profile.canaryAnnotations?.(request);
    if (annotations === undefined) {
      fail(this.scope, `${prop} service (${show(route.serviceName)}) has release track ${show(track.track)} (weight ${track.weight}${track.header ? `, header ${track.header.name}` : ''}), `
        + `which the ${p.profile.name} profile cannot express: it has no canary Ingress; use Gateway API mode, or remove the release`);
    }
    const key = JSON.stringify([mainKey, track.serviceName, track.weight, track.header ?? null]);
    let canary = this.canaries.get(key);
    if (!canary) {
      const mainName = main.ingress.metadata.name!;
      const name = `${mainName}-${track.track}`;
      if ([...this.canaries.values()].some((c) => c.ingress.metadata.name === name)) {
        fail(this.scope, `${prop} service (${show(route.serviceName)}) has release track ${show(track.track)} with another weight or header than a track of the same name on this Ingress: give tracks routed through one ingress the same settings`);
      }
      const routes: ResolvedRoute[] = [];
      const ingress = new k8s.KubeIngress(this.scope, `${main.ingress.node.id}-${track.track}`, {
        metadata: { name, namespace: p.namespace, labels: p.labels, annotations },
        spec: {
          ingressClassName: p.ingressClassName,
          tls: p.certificates ? Lazy.any({ produce: () => this.tls(hostsOf(routes)) }) : undefined,
          rules: Lazy.any({ produce: () => this.rules(routes, track.serviceName) }),
        },
      });
      this.ingresses.push(ingress);
      canary = { ingress, routes, track };
      this.canaries.set(key, canary);
    }
    canary.routes.push(route);
  }

  private createGroup(first: ResolvedRoute, prop: string): Group {
    const p = this.props;
    const request: IngressControllerRequest = {
      ...p.baseRequest,
      protocol: first.protocol,
      rewritePrefix: first.rewritePrefix,
      timeouts: first.timeouts,
    };
    const result = p.profile.annotationsFor(request);
    for (const option of result.unsupported) {
      fail(this.scope, `${prop} ${option} (${describeOption(request, option)}) cannot be expressed by the ${p.profile.name} profile: remove it, or use Gateway API mode`);
    }
    const annotations: Record<string, string> = { ...result.annotations };
    const primary = this.groups.size === 0;
    if (primary && p.certificates?._kind === CertificateSourceKind.CERT_MANAGER) {
      const issuer = p.certificates._issuer!;
      annotations[issuer.kind === IssuerKind.CLUSTER_ISSUER ? 'cert-manager.io/cluster-issuer' : 'cert-manager.io/issuer'] = issuer.name;
    }
    for (const [k, v] of Object.entries(p.annotations)) {
      if (k in annotations) {
        fail(this.scope, `ingress.annotations (${show({ [k]: v })}) sets a key a typed option or the certificate source already sets: use the typed option`);
      }
      annotations[k] = v;
    }

    const index = this.groups.size + 1;
    const routes: ResolvedRoute[] = [];
    const ingress = new k8s.KubeIngress(this.scope, index === 1 ? 'Ingress' : `Ingress${index}`, {
      metadata: { name: index === 1 ? p.name : `${p.name}-${index}`, namespace: p.namespace, labels: p.labels, annotations },
      spec: {
        ingressClassName: p.ingressClassName,
        tls: p.certificates ? Lazy.any({ produce: () => this.tls(primary ? this.hosts : hostsOf(routes)) }) : undefined,
        rules: Lazy.any({ produce: () => this.rules(routes) }),
      },
    });
    this.ingresses.push(ingress);
    return { ingress, routes };
  }

  private tls(hosts: string[]): k8s.IngressTls[] {
    const bySecret = new Map<string, string[]>();
    for (const host of hosts) {
      const secret = this.props.certificates!._secretFor(host, `${this.props.name}-${hostSlug(host)}-tls`)!;
      bySecret.set(secret, [...bySecret.get(secret) ?? [], host]);
    }
    return [...bySecret].map(([secretName, h]) => ({ hosts: h, secretName }));
  }

  private rules(routes: ResolvedRoute[], serviceName?: string): k8s.IngressRule[] {
    return hostsOf(routes).map((host) => ({
      host,
      http: { paths: routes.filter((r) => r.host === host).map((r) => this.path(r, serviceName)) },
    }));
  }

  private path(r: ResolvedRoute, serviceName = r.serviceName): k8s.HttpIngressPath {
    const written = r.rewritePrefix !== undefined
      ? this.props.profile.rewritePath(r.path, r.rewritePrefix)!
      : { path: r.path, pathType: r.pathType === PathType.EXACT ? 'Exact' : 'Prefix' };
    return {
      path: written.path,
      pathType: written.pathType,
      backend: { service: { name: serviceName, port: { number: r.servicePort } } },
    };
  }
}

function hostsOf(routes: ResolvedRoute[]): string[] {
  return [...new Set(routes.map((r) => r.host))];
}

/** The value of an option a profile reported as unsupported, for the message. */
function describeOption(request: IngressControllerRequest, option: string): string {
  const [head, field] = option.split('.');
  if (head === 'timeouts' && request.timeouts) {
    return timeoutValue(request.timeouts, field);
  }
  if (head === 'rateLimit' && request.rateLimit) {
    return show((request.rateLimit as Record<string, number>)[field]);
  }
  if (head === 'maxBodySize' && request.maxBodySize) {
    return `${request.maxBodySize.toKibibytes()}Ki`;
  }
  if (head === 'rewritePrefix') {
    return show(request.rewritePrefix);
  }
  if (head === 'securityHeaders') {
    return 'SecurityHeaders.recommended()';
  }
  if (head === 'cors' && request.cors) {
    return show(request.cors.allowOrigins);
  }
  return 'set';
}
