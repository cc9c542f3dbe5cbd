import { readFileSync } from 'fs';
import * as path from 'path';
import { POLICY_RULES } from '../lib/policy/rules';
import { docPages, markedInterfaces, missingDefaults, publicInterfaces, rewritePage, stalePages } from '../scripts/docs-tables';

/**
 * The tables of docs/ against the code they describe: the policy rules table
 * lists exactly POLICY_RULES, and every props table is the one
 * scripts/docs-tables.ts (`npm run docs`) generates from the TSDoc.
 */

const ROOT = path.resolve(__dirname, '..');

/** The rows of the first markdown table after `heading`, as cells. */
function tableAfter(file: string, heading: string): string[][] {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) {
    throw new Error(`${file} has no heading "${heading}"`);
  }
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) {
      break;
    }
    if (line.startsWith('|')) {
      rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
    } else if (rows.length > 0) {
      break;
    }
  }
  return rows.slice(2); // header and separator
}

describe('docs/policy.md', () => {
  test('the rules table lists exactly POLICY_RULES, in order, with their severities, reasons and fixes', () => {
    // GIVEN the rules as the code defines them
    const expected = POLICY_RULES.map((r) => [
      `\`${r.id}\``,
      r.level ? `${r.severity} (${r.level})` : r.severity,
      `${r.title}. ${r.reason}`,
      r.fix.replace(/\|/g, '\\|'),
    ]);
    // THEN the table says the same
    expect(tableAfter('docs/policy.md', '## Rules')).toEqual(expected);
  });
});

describe('props tables of docs/', () => {
  // The public interfaces as the TypeScript compiler reads them from the entry points (a few seconds).
  const interfaces = publicInterfaces();

  test('every marked props table is what `npm run docs` generates from the TSDoc', () => {
    // GIVEN the pages as committed, WHEN their marked tables are regenerated
    const stale = [...stalePages(ROOT, interfaces).keys()];
    // THEN none changes
    expect(stale).toEqual([]);
  });

  test('every optional prop of an exported interface has a @default (a value, or "- what happens")', () => {
    expect(missingDefaults(interfaces)).toEqual([]);
  });

  test('every exported *Props interface has a props table in docs/', () => {
    const marked = new Set(docPages().flatMap((page) => markedInterfaces(readFileSync(path.join(ROOT, page), 'utf8'))));
    const undocumented = [...interfaces.keys()].filter((name) => name.endsWith('Props') && !marked.has(name));
    expect(undocumented).toEqual([]);
  });

  test('a table that no longer matches its interface is rewritten, with required props, literal and described defaults', () => {
    // GIVEN a page whose table for SynthOptions is out of date
    const page = 'intro\n<!-- props:SynthOptions -->\n| old |\n<!-- /props -->\nend\n';
    // WHEN it is regenerated
    const next = rewritePage('page.md', page, new Map([['SynthOptions', [
      { name: 'image', type: 'string', optional: false, description: 'The image.' },
      { name: 'replicas', type: 'number', optional: true, defaultText: '3', description: 'Pods.' },
      { name: 'policy', type: 'PolicyOptions | false', optional: true, defaultText: '- the gate runs', description: 'A | B.' },
      { name: 'strict', type: 'boolean', optional: true, defaultText: 'false - a warning', description: 'Strict.' },
    ]]]));
    // THEN the region holds the new table and the rest of the page is kept
    expect(next).toEqual([
      'intro',
      '<!-- props:SynthOptions -->',
      '| Prop | Type | Default | Description |',
      '| --- | --- | --- | --- |',
      '| `image` | `string` | required | The image. |',
      '| `replicas` | `number` | `3` | Pods. |',
      '| `policy` | `PolicyOptions \\| false` | the gate runs | A \\| B. |',
      '| `strict` | `boolean` | `false`: a warning | Strict. |',
      '<!-- /props -->',
      'end',
      '',
    ].join('\n'));
  });

  test('throws on a marker that names no exported interface', () => {
    expect(() => rewritePage('page.md', '<!-- props:NoSuchProps -->\n<!-- /props -->\n', interfaces))
      .toThrow('page.md: <!-- props:NoSuchProps --> names no interface exported by lib/index.ts, lib/local/index.ts, lib/policy/jest.ts');
  });

  test('a marker quoted inside a line of text is not a marker', () => {
    const page = 'Tables sit between `<!-- props:Name -->` and `<!-- /props -->`.\n';
    expect(rewritePage('page.md', page, interfaces)).toEqual(page);
  });

  test('throws on a marker without its end marker', () => {
    expect(() => rewritePage('page.md', '<!-- props:SynthOptions -->\n| a |\n', interfaces))
      .toThrow('page.md: every <!-- props:Name --> needs its own <!-- /props --> after it');
  });
});
