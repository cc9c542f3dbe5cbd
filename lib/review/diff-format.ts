import { FieldChange, ManifestDiff, ObjectChange, RISK_IDS, RiskId } from './diff';

/** Output formats of `cdk8s-go-platform diff`. */
export type DiffFormat = 'text' | 'markdown' | 'json';

export const DIFF_FORMATS: readonly DiffFormat[] = ['text', 'markdown', 'json'];

const RISK_TITLES: Record<RiskId, string> = {
  [RiskId.IMMUTABLE_FIELD]: 'immutable field (recreate)',
  [RiskId.REMOVED]: 'object removed',
  [RiskId.STORAGE]: 'storage',
  [RiskId.NETWORK_WIDENED]: 'network widened',
  [RiskId.FLOOR_LOWERED]: 'PDB/HPA floor lowered',
  [RiskId.IMAGE]: 'image unpinned or downgraded',
  [RiskId.SECRET_ADDED]: 'Secret reference added',
};

function counts(d: ManifestDiff): string {
  const by = (s: ObjectChange['status']): number => d.objects.filter((o) => o.status === s).length;
  return `${by('changed')} changed, ${by('renamed')} renamed, ${by('added')} added, ${by('removed')} removed, ${d.unchanged} unchanged`;
}

function value(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}

function fieldLine(f: FieldChange): string {
  switch (f.type) {
    case 'added': return `+ ${f.path}: ${value(f.new)}`;
    case 'removed': return `- ${f.path}: ${value(f.old)}`;
    default: return `~ ${f.path}: ${value(f.old)} → ${value(f.new)}`;
  }
}

const MARK: Record<ObjectChange['status'], string> = { added: '+', removed: '-', changed: '~', renamed: '~' };

function objectTitle(o: ObjectChange): string {
  return `${MARK[o.status]} ${o.key}${o.renamedFrom ? ` (was ${o.renamedFrom.split(' ').pop()})` : ''}${o.status === 'added' || o.status === 'removed' ? ` ${o.status}` : ''}`;
}

/** Plain text for terminals and CI logs. */
export function formatDiffText(d: ManifestDiff): string {
  const lines: string[] = [`${counts(d)}`];
  if (d.objects.length === 0) {
    return 'no changes\n';
  }
  lines.push('', d.risks.length === 0 ? 'Risks: none' : `Risks (${d.risks.length}):`);
  for (const r of d.risks) {
    lines.push(`  [${r.id}] ${r.object}: ${r.message}`);
  }
  lines.push('', 'Per service:');
  for (const s of d.services) {
    lines.push(`  ${s.service}: ${s.changes.join('; ')}`);
  }
  lines.push('', 'Objects:');
  for (const o of d.objects) {
    lines.push(`  ${objectTitle(o)}`);
    for (const f of o.fields) {
      lines.push(`      ${fieldLine(f)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for a pull request comment: risks first, then services, field changes folded. */
export function formatDiffMarkdown(d: ManifestDiff, title = 'manifests'): string {
  const lines: string[] = [`### cdk8s-go-platform diff: ${title}`, ''];
  if (d.objects.length === 0) {
    lines.push('No changes.');
    return lines.join('\n') + '\n';
  }
  lines.push(`${d.risks.length === 0 ? 'No risks flagged' : `**${d.risks.length} risk${d.risks.length === 1 ? '' : 's'} flagged**`} · ${counts(d)}`, '');
  if (d.risks.length > 0) {
    lines.push('| Risk | Object | What |', '| --- | --- | --- |');
    for (const r of d.risks) {
      lines.push(`| \`${r.id}\` ${RISK_TITLES[r.id]} | \`${cell(r.object)}\` | ${cell(r.message)} |`);
    }
    lines.push('');
  }
  lines.push('#### Per service', '');
  for (const s of d.services) {
    lines.push(`- **${s.service}**: ${cell(s.changes.join('; '))}`);
  }
  lines.push('', `<details><summary>Field changes (${d.objects.length} objects)</summary>`, '', '```diff');
  for (const o of d.objects) {
    lines.push(objectTitle(o));
    for (const f of o.fields) {
      lines.push(`  ${fieldLine(f).replace(/^~/, '!')}`);
    }
  }
  lines.push('```', '', '</details>');
  return lines.join('\n') + '\n';
}

/** Renders the diff in one of the formats. */
export function formatDiff(d: ManifestDiff, format: DiffFormat, title?: string): string {
  switch (format) {
    case 'text': return formatDiffText(d);
    case 'markdown': return formatDiffMarkdown(d, title);
    case 'json': return JSON.stringify(d, null, 2) + '\n';
  }
}

export { RISK_IDS };
