/** How a `Certificates` source provides a host's certificate. @internal */
export enum CertificateSourceKind {
  /** TLS Secrets that already exist (or are managed elsewhere). */
  SECRET = 'Secret',
  /** cert-manager issues and renews them. */
  CERT_MANAGER = 'CertManager',
}

/** The kinds of cert-manager issuer. */
export enum IssuerKind {
  /** A cluster-wide `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
  /** An `Issuer` in the namespace of the certificate. */
  ISSUER = 'Issuer',
}

/**
 * Where the TLS certificate of each host comes from: existing TLS Secrets, or
 * cert-manager, which issues and renews them.
 *
 * In Ingress mode cert-manager is asked through the
 * `cert-manager.io/cluster-issuer` (or `issuer`) annotation; in Gateway API
 * mode a `Certificate` object is created per host beside the Gateway.
 *
 * @example
 * Certificates.fromClusterIssuer('letsencrypt');
 * Certificates.fromSecret('wildcard-example-com-tls');
 * Certificates.fromSecrets({ 'shop.example.com': 'shop-tls', 'api.example.com': 'api-tls' });
 */
export class Certificates {
  /** cert-manager issues every host's certificate from a `ClusterIssuer`. */
  public static fromClusterIssuer(issuerName: string): Certificates {
    return new Certificates(CertificateSourceKind.CERT_MANAGER, { issuer: { name: issuerName, kind: IssuerKind.CLUSTER_ISSUER } });
  }

  /** cert-manager issues every host's certificate from an `Issuer` in the certificate's namespace. */
  public static fromIssuer(issuerName: string): Certificates {
    return new Certificates(CertificateSourceKind.CERT_MANAGER, { issuer: { name: issuerName, kind: IssuerKind.ISSUER } });
  }

  /** One existing TLS Secret covers every host (a multi-name or wildcard certificate). */
  public static fromSecret(secretName: string): Certificates {
    return new Certificates(CertificateSourceKind.SECRET, { secretName });
  }

  /** An existing TLS Secret per host; a host that is not listed has no certificate and is rejected. */
  public static fromSecrets(secretsByHost: Record<string, string>): Certificates {
    return new Certificates(CertificateSourceKind.SECRET, { secretsByHost: { ...secretsByHost } });
  }

  /** @internal */
  public readonly _kind: CertificateSourceKind;
  /** @internal */
  public readonly _issuer?: { readonly name: string; readonly kind: IssuerKind };
  /** @internal */
  public readonly _secretName?: string;
  /** @internal */
  public readonly _secretsByHost?: Readonly<Record<string, string>>;

  private constructor(kind: CertificateSourceKind, source: {
    issuer?: { name: string; kind: IssuerKind };
    secretName?: string;
    secretsByHost?: Record<string, string>;
  }) {
    this._kind = kind;
    this._issuer = source.issuer;
    this._secretName = source.secretName;
    this._secretsByHost = source.secretsByHost;
  }

  /** Short description for error messages. @internal */
  public _describe(): string {
    if (this._issuer) {
      return `Certificates.${this._issuer.kind === IssuerKind.CLUSTER_ISSUER ? 'fromClusterIssuer' : 'fromIssuer'}(${JSON.stringify(this._issuer.name)})`;
    }
    if (this._secretName !== undefined) {
      return `Certificates.fromSecret(${JSON.stringify(this._secretName)})`;
    }
    return `Certificates.fromSecrets(${JSON.stringify(this._secretsByHost)})`;
  }

  /**
   * The TLS Secret holding `host`'s certificate: the given one, or for
   * cert-manager the one it will write, `generated`. `undefined` when this
   * source has no certificate for the host.
   *
   * @internal
   */
  public _secretFor(host: string, generated: string): string | undefined {
    if (this._kind === CertificateSourceKind.CERT_MANAGER) {
      return generated;
    }
    if (this._secretName !== undefined) {
      return this._secretName;
    }
    return this._secretsByHost && Object.hasOwn(this._secretsByHost, host) ? this._secretsByHost[host] : undefined;
  }
}
