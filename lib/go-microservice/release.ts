import { IConstruct } from 'constructs';
import { fail, show } from '../common/errors';
import { validatePinnedImage } from '../common/images';

/** A request header that selects a release track. */
export interface HeaderMatchOptions {
  /** Header name, e.g. `x-canary`: an HTTP token, matched case-insensitively. */
  readonly name: string;
  /**
   * Exact value the header must carry.
   * @default 'always'
   */
  readonly value?: string;
}

/** A canary next to the stable pods of a service. */
export interface CanaryOptions {
  /** Image of the canary pods, pinned; must differ from the service's `image`. */
  readonly image: string;
  /**
   * Percent of the routed requests (without the header) the canary receives,
   * an integer from 0 to 100. Its autoscaling bounds (or replicas) are the
   * stable ones scaled by this share, at least 1 pod.
   */
  readonly weight: number;
  /**
   * Requests with this header always go to the canary, whatever the weight.
   * @default - no header rule; only `weight` decides
   */
  readonly header?: HeaderMatchOptions;
}

/** The two colors of a blue-green release. */
export enum BlueGreenColor {
  /** The service's own Deployment (`<name>`, with `image`). */
  BLUE = 'blue',
  /** The second Deployment (`<name>-green`, with `green.image`). */
  GREEN = 'green',
}

/** The green color of a blue-green release. */
export interface ColorOptions {
  /** Image of the color's pods, pinned. */
  readonly image: string;
}

/** How the inactive color is reached before it is switched to. */
export interface PreviewOptions {
  /**
   * Requests with this header go to the inactive color through the routes.
   * @default - no header rule: the preview Service is reached in the cluster only
   */
  readonly header?: HeaderMatchOptions;
}

/**
 * Blue-green: two full-size Deployments, one active. Blue is the service's
 * own Deployment with `image`; green has `green.image`.
 */
export interface BlueGreenOptions {
  /** The green color. */
  readonly green: ColorOptions;
  /**
   * The color the service's Service (and every route) sends traffic to; the
   * other one is served by `<name>-preview`. Switching is this one prop.
   */
  readonly active: BlueGreenColor;
  /**
   * How routes reach the inactive color.
   * @default - no preview rule on routes; `<name>-preview` serves it in the cluster
   */
  readonly preview?: PreviewOptions;
}

/** What kind of release a `Release` describes. */
export enum ReleaseKind {
  /** A stable track and a canary that receives a share of the traffic. */
  CANARY = 'canary',
  /** Two colors, one active. */
  BLUE_GREEN = 'blue-green',
}

/** Default value a header match expects. */
export const RELEASE_DEFAULTS = {
  headerValue: 'always',
} as const;

/** HTTP header names: RFC 9110 tokens. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** Header values Gateway API and ingress-nginx both accept: visible ASCII without quotes. */
const HEADER_VALUE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~:/=@,;?()[\]{}]{1,256}$/;

/** The second track of a release (the canary, or green), validated: `GoMicroservice.release.second`. */
export interface ResolvedTrack {
  /** `canary` or `green`. */
  readonly track: string;
  /** Image of its pods. */
  readonly image: string;
  /** Percent of routed requests without the header. */
  readonly weight: number;
  /**
   * The header (name in lower case) that always reaches it.
   * @default - none
   */
  readonly header?: { readonly name: string; readonly value: string };
}

/** A validated release: `GoMicroservice.release`. */
export interface ResolvedRelease {
  /** Canary or blue-green. */
  readonly kind: ReleaseKind;
  /** Track label of the service's own Deployment: `stable` or `blue`. */
  readonly ownTrack: string;
  /** The second Deployment: the canary or green. */
  readonly second: ResolvedTrack;
  /**
   * Blue-green: which color the service's Service selects.
   * @default - not blue-green
   */
  readonly active?: BlueGreenColor;
}

/**
 * A release with two tracks, for `GoMicroserviceProps.release`: a canary or a
 * blue-green pair. Routes split traffic between them (weights and a header
 * rule, see `SecureIngress`).
 *
 * @example
 * release: Release.canary({ image: 'registry.example.com/orders:1.5.0', weight: 10, header: { name: 'x-canary' } })
 * release: Release.blueGreen({ green: { image: 'registry.example.com/payments:3.0.0' }, active: BlueGreenColor.BLUE })
 */
export class Release {
  /** A canary Deployment and Service (`<name>-canary`) beside the stable ones. */
  public static canary(options: CanaryOptions): Release {
    return new Release(ReleaseKind.CANARY, options, undefined);
  }

  /** Blue (the service's own Deployment) and green (`<name>-green`), one of them active. */
  public static blueGreen(options: BlueGreenOptions): Release {
    return new Release(ReleaseKind.BLUE_GREEN, undefined, options);
  }

  private constructor(
    /** The kind of release. */
    public readonly kind: ReleaseKind,
    private readonly canaryOptions: CanaryOptions | undefined,
    private readonly blueGreenOptions: BlueGreenOptions | undefined,
  ) {}

  /** Validates the release against the service's `image`. @internal */
  public _resolve(scope: IConstruct, stableImage: string): ResolvedRelease {
    if (this.kind === ReleaseKind.CANARY) {
      const o = this.canaryOptions!;
      const image = secondImage(scope, 'release.image', o.image, stableImage);
      if (typeof o.weight !== 'number' || !Number.isInteger(o.weight) || o.weight < 0 || o.weight > 100) {
        fail(scope, `release.weight (${show(o.weight)}) must be an integer percent from 0 to 100`);
      }
      return {
        kind: this.kind,
        ownTrack: 'stable',
        second: { track: 'canary', image, weight: o.weight, header: resolveHeader(scope, 'release.header', o.header) },
      };
    }
    const o = this.blueGreenOptions!;
    if (!Object.values(BlueGreenColor).includes(o.active)) {
      fail(scope, `release.active (${show(o.active)}) is not a color: use BlueGreenColor.BLUE or BlueGreenColor.GREEN`);
    }
    const image = secondImage(scope, 'release.green.image', o.green?.image, stableImage);
    // The preview track is the inactive color; it receives no weighted traffic.
    const header = resolveHeader(scope, 'release.preview.header', o.preview?.header);
    return {
      kind: this.kind,
      ownTrack: BlueGreenColor.BLUE,
      second: { track: BlueGreenColor.GREEN, image, weight: 0, header },
      active: o.active,
    };
  }
}

function secondImage(scope: IConstruct, prop: string, image: string | undefined, stableImage: string): string {
  if (typeof image !== 'string') {
    fail(scope, `${prop} (${show(image)}) is required: a pinned image reference`);
  }
  validatePinnedImage(scope, prop, image);
  if (image === stableImage) {
    fail(scope, `${prop} (${show(image)}) is the service's image: a second track needs another release; to promote, set image to it and remove release`);
  }
  return image;
}

function resolveHeader(scope: IConstruct, prop: string, h: HeaderMatchOptions | undefined): ResolvedTrack['header'] {
  if (h === undefined) {
    return undefined;
  }
  if (typeof h.name !== 'string' || !HEADER_NAME.test(h.name)) {
    fail(scope, `${prop}.name (${show(h.name)}) must be an HTTP header name: letters, digits and !#$%&'*+-.^_\`|~`);
  }
  if (/^(:|host$|content-length$|transfer-encoding$)/i.test(h.name)) {
    fail(scope, `${prop}.name (${show(h.name)}) is a header proxies rewrite: choose a header of your own such as x-canary`);
  }
  const value = h.value ?? RELEASE_DEFAULTS.headerValue;
  if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
    fail(scope, `${prop}.value (${show(value)}) must be 1 to 256 visible ASCII characters without spaces or quotes`);
  }
  return { name: h.name.toLowerCase(), value };
}
