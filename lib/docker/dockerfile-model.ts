/**
 * The internal model of a Dockerfile: a list of lines, each a comment, a blank
 * line or one instruction with its flags and arguments. `renderDockerfile` is
 * the only place that turns the model into text, so quoting, line
 * continuations and the exec form are handled once.
 */

/** A Dockerfile instruction keyword the generator writes. @internal */
export type DockerKeyword = 'ARG' | 'COPY' | 'ENTRYPOINT' | 'ENV' | 'EXPOSE' | 'FROM' | 'LABEL' | 'RUN' | 'USER' | 'WORKDIR';

/** One instruction. @internal */
export interface DockerInstruction {
  readonly kind: 'instruction';
  /** The instruction keyword. */
  readonly keyword: DockerKeyword;
  /** Flags written before the arguments, e.g. `--from=build` or `--mount=type=cache,target=/go/pkg/mod`. */
  readonly flags?: string[];
  /**
   * The arguments. In shell form they are joined with spaces; `continuation`
   * puts each flag and argument on a line of its own. In exec form they
   * become a JSON array.
   */
  readonly args: string[];
  /** `shell` (the default) or `exec` (a JSON array, no shell involved). */
  readonly form?: 'shell' | 'exec';
  /** Write each flag and argument on its own continued line. */
  readonly continuation?: boolean;
}

/** A comment line, or a blank line when `text` is empty. @internal */
export interface DockerComment {
  readonly kind: 'comment';
  readonly text: string;
}

/** One line (or continued instruction) of a Dockerfile. @internal */
export type DockerfileLine = DockerInstruction | DockerComment;

/** An instruction in shell form. @internal */
export function instruction(keyword: DockerKeyword, args: string[], options: { flags?: string[]; continuation?: boolean } = {}): DockerInstruction {
  return { kind: 'instruction', keyword, args, flags: options.flags, continuation: options.continuation };
}

/** An instruction in exec (JSON array) form. @internal */
export function execInstruction(keyword: DockerKeyword, args: string[]): DockerInstruction {
  return { kind: 'instruction', keyword, args, form: 'exec' };
}

/** A comment line. @internal */
export function comment(text: string): DockerComment {
  return { kind: 'comment', text };
}

/** A blank line. @internal */
export function blank(): DockerComment {
  return { kind: 'comment', text: '' };
}

/** Quotes a value for a `KEY=value` pair in `LABEL`, `ENV` or `ARG` when it needs it. @internal */
export function quoteValue(value: string): string {
  return /^[A-Za-z0-9_.:/@${}+-]+$/.test(value) ? value : JSON.stringify(value);
}

const INDENT = '    ';

/** Renders the model into Dockerfile text, ending with a newline. @internal */
export function renderDockerfile(lines: DockerfileLine[]): string {
  const out: string[] = [];
  for (const line of lines) {
    if (line.kind === 'comment') {
      out.push(line.text === '' ? '' : `# ${line.text}`);
      continue;
    }
    const flags = line.flags ?? [];
    if (line.form === 'exec') {
      out.push([line.keyword, ...flags, JSON.stringify(line.args)].join(' '));
    } else if (line.continuation) {
      out.push(`${line.keyword} ${[...flags, ...line.args].join(` \\\n${INDENT}`)}`);
    } else {
      out.push([line.keyword, ...flags, ...line.args].join(' '));
    }
  }
  return `${out.join('\n')}\n`;
}
