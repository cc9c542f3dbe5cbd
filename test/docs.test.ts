import { readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { POLICY_RULES } from '../lib/policy/rules';

/**
 * The hand-written tables of docs/ checked against the code they describe:
 * the policy rules table lists exactly POLICY_RULES, and the GoMicroservice
 * props table lists exactly the props of GoMicroserviceProps with the value
 * of each `@default`.
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

describe('docs/go-microservice.md', () => {
  /** Each prop of GoMicroserviceProps (inherited ones included) with its `@default` text, if any. */
  function propsWithDefaults(): Map<string, string | undefined> {
    const file = path.join(ROOT, 'lib/go-microservice/go-microservice-props.ts');
    const program = ts.createProgram([file], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [], noEmit: true });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
    const props = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'GoMicroserviceProps')!;
    const type = checker.getDeclaredTypeOfSymbol(props);
    const result = new Map<string, string | undefined>();
    for (const p of checker.getPropertiesOfType(type)) {
      const tag = p.getJsDocTags(checker).find((t) => t.name === 'default');
      result.set(p.name, tag ? ts.displayPartsToString(tag.text).trim() : undefined);
    }
    return result;
  }

  const rows = tableAfter('docs/go-microservice.md', '## Props');
  const documented = new Map(rows.map((r) => [r[0].replace(/`/g, ''), r[1]]));
  const props = propsWithDefaults();

  test('the props table names every prop of GoMicroserviceProps and no other', () => {
    const tableProps = [...new Set([...documented.keys()].map((k) => k.split('.')[0]))].sort();
    expect(tableProps).toEqual([...props.keys()].sort());
  });

  test('each prop with a value as its @default shows that value in the table', () => {
    const mismatched: string[] = [];
    for (const [name, def] of props) {
      if (def === undefined || def.startsWith('-')) {
        continue; // no default, or a described one ("- a new one is created")
      }
      const cell = (documented.get(name) ?? '').replace(/`/g, '');
      if (!cell.includes(def.replace(/`/g, ''))) {
        mismatched.push(`${name}: @default ${def}, table says "${cell}"`);
      }
    }
    expect(mismatched).toEqual([]);
  });
});
