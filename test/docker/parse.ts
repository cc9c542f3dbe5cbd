import { DockerfileParser, ModifiableInstruction, PropertyInstruction } from 'dockerfile-ast';

/** One parsed instruction: keyword, flags and arguments as the parser sees them. */
export interface ParsedInstruction {
  readonly keyword: string;
  readonly flags: string[];
  readonly args: string[];
}

/** One build stage: the FROM line's parts and the instructions that follow it. */
export interface ParsedStage {
  readonly image: string;
  readonly name?: string;
  readonly platform?: string;
  readonly instructions: ParsedInstruction[];
}

/** A Dockerfile parsed with dockerfile-ast: the global ARGs and the stages in order. */
export interface ParsedDockerfile {
  readonly globalArgs: string[];
  readonly stages: ParsedStage[];
}

/** Parses `text` with a real Dockerfile parser. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = dockerfile.getInitialARGs().map((a) => a.getArgumentsContent() ?? '');
  const stages: ParsedStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags().map((f) => f.toString()) : [];
    // ENV, ARG and LABEL: the parsed `key=value` properties, quotes resolved.
    const args = instruction instanceof PropertyInstruction
      ? instruction.getProperties().map((p) => (p.getValue() === null ? p.getName() : `${p.getName()}=${p.getValue()}`))
      : instruction.getArguments().map((a) => a.getValue());
    if (keyword === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      stages.push({
        image: from.getImage() ?? '',
        name: from.getBuildStage() ?? undefined,
        platform: from.getPlatformFlag()?.getValue() ?? undefined,
        instructions: [],
      });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword, flags, args });
    }
  }
  return { globalArgs, stages };
}

/** The keywords of a stage, in order. */
export function keywords(stage: ParsedStage): string[] {
  return stage.instructions.map((i) => i.keyword);
}

/** The instructions of a stage with `keyword`. */
export function withKeyword(stage: ParsedStage, keyword: string): ParsedInstruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}
