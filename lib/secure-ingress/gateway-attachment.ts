/** An existing Gateway to attach routes to. */
export interface ExistingGatewayOptions {
  /** `metadata.name` of the Gateway. */
  readonly name: string;

  /**
   * Namespace of the Gateway.
   * @default - the ingress's namespace
   */
  readonly namespace?: string;

  /**
   * The listener the routes attach to (`parentRefs[].sectionName`). Name the
   * HTTPS listener when the Gateway also has a plain HTTP one, so the routes
   * are not served over HTTP.
   * @default - every listener whose hostname matches and that admits the routes
   */
  readonly sectionName?: string;

  /**
   * Namespace of the Gateway's proxy pods, admitted by the backends'
   * NetworkPolicies.
   * @default - the Gateway's namespace
   */
  readonly proxyNamespace?: string;
}

/** A Gateway created by the `SecureIngress`. */
export interface NewGatewayOptions {
  /** `spec.gatewayClassName`: the GatewayClass of the implementation that runs it. */
  readonly gatewayClassName: string;

  /**
   * `metadata.name` of the Gateway; a DNS-1123 label.
   * @default - the ingress's name
   */
  readonly name?: string;

  /**
   * Namespace of the Gateway and its certificates.
   * @default - the ingress's namespace
   */
  readonly namespace?: string;

  /**
   * Namespace of the Gateway's proxy pods, admitted by the backends'
   * NetworkPolicies.
   * @default - the Gateway's namespace
   */
  readonly proxyNamespace?: string;
}

/** Whether a `GatewayAttachment` refers to a Gateway or creates one. @internal */
export enum GatewayAttachmentKind {
  EXISTING = 'Existing',
  NEW = 'New',
}

/**
 * The Gateway that Gateway API routes attach to: an existing one, or one the
 * `SecureIngress` creates with an HTTPS listener per host and an HTTP
 * listener that only redirects to HTTPS.
 *
 * @example
 * GatewayAttachment.existing({ name: 'public', namespace: 'gateway', sectionName: 'https' });
 * GatewayAttachment.create({ gatewayClassName: 'eg', namespace: 'gateway' });
 */
export class GatewayAttachment {
  /** Attach to an existing Gateway; its listeners hold the certificates. */
  public static existing(options: ExistingGatewayOptions): GatewayAttachment {
    return new GatewayAttachment(GatewayAttachmentKind.EXISTING, { ...options });
  }

  /** Create a Gateway for the routes' hosts. */
  public static create(options: NewGatewayOptions): GatewayAttachment {
    return new GatewayAttachment(GatewayAttachmentKind.NEW, { ...options });
  }

  /** @internal */
  public readonly _kind: GatewayAttachmentKind;
  /** @internal */
  public readonly _existing?: ExistingGatewayOptions;
  /** @internal */
  public readonly _new?: NewGatewayOptions;

  private constructor(kind: GatewayAttachmentKind, options: ExistingGatewayOptions | NewGatewayOptions) {
    this._kind = kind;
    if (kind === GatewayAttachmentKind.EXISTING) {
      this._existing = options as ExistingGatewayOptions;
    } else {
      this._new = options as NewGatewayOptions;
    }
  }
}
