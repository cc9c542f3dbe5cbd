import { IConstruct } from 'constructs';
import { fail, show } from '../common/errors';

type PromqlParser = typeof import('@prometheus-io/lezer-promql').parser;
let promqlParser: PromqlParser | undefined;

/** The PromQL grammar, required on first use so that importing the package does not load it. */
function parser(): PromqlParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  promqlParser ??= (require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql')).parser;
  return promqlParser;
}

/**
 * The first syntax error in a PromQL expression, as `position N ("text")`, or
 * `undefined` when the expression parses. Uses the grammar of the Prometheus
 * web UI (`@prometheus-io/lezer-promql`), so what passes here is what
 * Prometheus's own editor accepts.
 */
export function promqlSyntaxError(expr: string): string | undefined {
  if (typeof expr !== 'string' || expr.trim() === '') {
    return 'the expression is empty';
  }
  const tree = parser().parse(expr);
  let error: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (error === undefined && node.type.isError) {
        error = node.from;
      }
      return error === undefined;
    },
  });
  if (error === undefined) {
    return undefined;
  }
  const near = expr.slice(error, error + 20);
  return near === '' ? `unexpected end of expression at position ${error}` : `syntax error at position ${error} near ${JSON.stringify(near)}`;
}

/**
 * Throws the library's error when `expr` is not valid PromQL.
 *
 * @internal
 */
export function validatePromQL(scope: IConstruct | string, prop: string, expr: string): void {
  const error = promqlSyntaxError(expr);
  if (error !== undefined) {
    fail(scope, `${prop} (${show(expr)}) is not valid PromQL: ${error}`);
  }
}
