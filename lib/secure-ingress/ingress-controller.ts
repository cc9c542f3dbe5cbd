import type { IIngressControllerProfile } from './ingress-controller-profile';
import { IngressNginxProfile } from './ingress-nginx';

/**
 * The controller profiles that ship with the library.
 *
 * @example
 * new SecureIngress(chart, 'public', {
 *   ingress: { ingressClassName: 'nginx', controller: IngressController.ingressNginx() },
 *   certificates: Certificates.fromClusterIssuer('letsencrypt'),
 * });
 */
export class IngressController {
  /**
   * ingress-nginx, the legacy profile (the project was retired after March
   * 2026). `namespace` is where its pods run.
   */
  public static ingressNginx(namespace?: string): IIngressControllerProfile {
    return new IngressNginxProfile(namespace);
  }

  private constructor() {}
}
