import type { Node } from 'yaml';
import { yamlLib } from '../common/yaml';
import { SourcedManifest } from './check';

/** A line and column in a file, counting from 1. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Splits a finding path (`spec.containers[0].image`,
 * `metadata.annotations["prometheus.io/port"]`) into keys and indexes.
 *
 * @internal
 */
export function pathSegments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') {
      i++;
    } else if (path.startsWith('["', i)) {
      let j = i + 2;
      while (j < path.length && !(path[j] === '"' && path[j - 1] !== '\\')) {
        j++;
      }
      out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
      i = j + 2;
    } else if (path[i] === '[') {
      const j = path.indexOf(']', i);
      out.push(Number(path.slice(i + 1, j)));
      i = j + 1;
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') {
        j++;
      }
      out.push(path.slice(i, j));
      i = j;
    }
  }
  return out;
}

/**
 * The offset of the field a path names in a parsed YAML document: the key of
 * a mapping entry, the item of a sequence. A path into a field that is
 * missing stops at the deepest field that exists (the mapping that lacks it).
 */
function offsetOf(root: Node | null, path: string): number | undefined {
  const { isMap, isScalar, isSeq } = yamlLib();
  let node: unknown = root;
  let offset = root?.range?.[0];
  for (const seg of pathSegments(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) {
        break;
      }
      offset = isScalar(pair.key) ? pair.key.range?.[0] ?? offset : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * Parses a multi-document YAML file for the gate: every document becomes a
 * `SourcedManifest` whose `locate` finds the line and column of a field, from
 * the parser's own positions.
 *
 * @throws when a document is not valid YAML, naming the file and document
 */
export function parseManifestFile(file: string, text: string): SourcedManifest[] {
  const { LineCounter, parseAllDocuments } = yamlLib();
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, { lineCounter }).map((doc, index) => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: document ${index} is not valid YAML: ${doc.errors[0].message}`);
    }
    return {
      manifest: doc.toJS(),
      source: { file, index },
      locate: (path: string): Position | undefined => {
        const offset = offsetOf(doc.contents, path);
        if (offset === undefined) {
          return undefined;
        }
        const pos = lineCounter.linePos(offset);
        return { line: pos.line, column: pos.col };
      },
    };
  });
}
