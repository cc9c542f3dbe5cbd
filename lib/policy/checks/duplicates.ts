import { Entry, PolicyContext } from '../context';

/**
 * The API group of an apiVersion: `apps` for `apps/v1`, `''` for `v1`. Two
 * versions of one group address the same stored object.
 */
function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Objects that the API server would store as one: same API group, kind,
 * namespace (after defaulting) and name. Each group lists the entries in set
 * order; only groups of two or more are returned.
 *
 * @internal
 */
export function duplicateObjects(entries: readonly Entry[]): Entry[][] {
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = [apiGroup(e.ref.apiVersion), e.ref.kind, e.namespace ?? '', e.ref.name].join('\u0000');
    const list = groups.get(key);
    if (list) {
      list.push(e);
    } else {
      groups.set(key, [e]);
    }
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** Where an entry came from, for a message: `file#index`, or its position in the set. */
function where(e: Entry, index: number): string {
  return e.source ? `${e.source.file}#${e.source.index}` : `object ${index} of the set`;
}

/** GP-DUPLICATE. @internal */
export function checkDuplicates(ctx: PolicyContext): void {
  const position = new Map<Entry, number>(ctx.entries.map((e, i) => [e, i]));
  for (const group of duplicateObjects(ctx.entries)) {
    const [first, ...rest] = group;
    for (const e of rest) {
      ctx.report(e, 'GP-DUPLICATE', '',
        `duplicate object: ${where(first, position.get(first) ?? 0)} defines the same ${e.ref.kind} (apiVersion ${first.ref.apiVersion}), and the later one overwrites the earlier when applied`);
    }
  }
}
