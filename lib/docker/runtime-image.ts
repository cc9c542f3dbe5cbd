/** The kinds of runtime stage a `GoDockerfile` can end with. */
export enum RuntimeImageKind {
  /** `gcr.io/distroless/static` with its `nonroot` user: CA certificates, time zones, no shell. */
  DISTROLESS = 'DISTROLESS',
  /** An empty image; CA certificates, time zone data and a passwd entry are copied in. */
  SCRATCH = 'SCRATCH',
  /** Alpine Linux with `ca-certificates`, `tzdata` and a non-root user: has a shell for debugging. */
  ALPINE = 'ALPINE',
}

/** Default runtime base images, each pinned to a version tag. */
export const RUNTIME_IMAGE_DEFAULTS = {
  distroless: 'gcr.io/distroless/static-debian12:nonroot',
  alpine: 'alpine:3.22',
} as const;

/**
 * The base of the final image stage.
 *
 * @example
 * RuntimeImage.distroless()                                  // default
 * RuntimeImage.scratch()
 * RuntimeImage.alpine('mirror.example.com/library/alpine:3.22')
 */
export class RuntimeImage {
  /**
   * Distroless static, `nonroot` variant.
   * @param image the base image, pinned by tag or digest; e.g. a mirror
   *   (default `gcr.io/distroless/static-debian12:nonroot`)
   */
  public static distroless(image: string = RUNTIME_IMAGE_DEFAULTS.distroless): RuntimeImage {
    return new RuntimeImage(RuntimeImageKind.DISTROLESS, image);
  }

  /**
   * `FROM scratch`: the smallest image. The builder stage must provide
   * `/etc/ssl/certs/ca-certificates.crt` and `/usr/share/zoneinfo`, as the
   * Debian-based `golang` images do.
   */
  public static scratch(): RuntimeImage {
    return new RuntimeImage(RuntimeImageKind.SCRATCH, undefined);
  }

  /**
   * Alpine Linux.
   * @param image the base image, pinned by tag or digest (default `alpine:3.22`)
   */
  public static alpine(image: string = RUNTIME_IMAGE_DEFAULTS.alpine): RuntimeImage {
    return new RuntimeImage(RuntimeImageKind.ALPINE, image);
  }

  private constructor(
    /** Which runtime stage. */
    public readonly kind: RuntimeImageKind,
    /** The base image, for every kind but `SCRATCH`. */
    public readonly image: string | undefined,
  ) {}
}
