import { IConstruct } from 'constructs';
import { fail, show } from './errors';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** An image reference split into its parts. @internal */
export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry/repo:tag@sha256:...` into repository, tag and digest. @internal */
export function parseImage(image: string): ImageReference {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  return {
    repository: colon >= 0 ? rest.slice(0, colon) : rest,
    tag: colon >= 0 ? rest.slice(colon + 1) : undefined,
    digest,
  };
}

/**
 * Requires an image to be pinned: a version tag other than `latest`, or a
 * `sha256` digest. Mutable references make rollouts and rollbacks lie.
 *
 * @internal
 */
export function validatePinnedImage(scope: IConstruct | string, prop: string, image: string): ImageReference {
  const ref = parseImage(image);
  if (typeof image !== 'string' || image.trim() !== image || ref.repository === '' || /\s/.test(image)) {
    fail(scope, `${prop} (${show(image)}) is not an image reference`);
  }
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) {
    fail(scope, `${prop} (${show(image)}) has an invalid digest: use @sha256: followed by 64 hex digits`);
  }
  if (ref.tag !== undefined && !TAG.test(ref.tag)) {
    fail(scope, `${prop} (${show(image)}) has an invalid tag: use letters, digits, '_', '.' and '-', at most 128 characters`);
  }
  if (ref.tag === undefined && ref.digest === undefined) {
    fail(scope, `${prop} (${show(image)}) has no tag or digest: pin a version tag or a digest`);
  }
  if (ref.tag === 'latest' && ref.digest === undefined) {
    fail(scope, `${prop} (${show(image)}) uses the mutable tag "latest": pin a version tag or a digest`);
  }
  return ref;
}

/**
 * The `app.kubernetes.io/version` value for an image: its tag, or the first 12
 * hex digits of its digest when it has no tag.
 *
 * @internal
 */
export function versionFromImage(image: string): string | undefined {
  const ref = parseImage(image);
  return ref.tag ?? ref.digest?.split(':')[1]?.slice(0, 12);
}
