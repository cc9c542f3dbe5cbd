import { createHash } from 'crypto';

/** JSON with object keys sorted at every level, so equal content hashes equally. @internal */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    }
    return v;
  });
}

/** A short, stable content hash (first 10 hex digits of SHA-256 over key-sorted JSON). @internal */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 10);
}
