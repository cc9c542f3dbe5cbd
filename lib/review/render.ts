import { byString } from '../common/files';
import { EdgeKind, GraphNode, NodeKind, PlatformGraph } from './graph-model';

/** Output formats of `cdk8s-go-platform graph`. */
export type GraphFormat = 'svg' | 'mermaid' | 'dot' | 'json';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['svg', 'mermaid', 'dot', 'json'];

interface NodeStyle { readonly fill: string; readonly stroke: string; readonly shape: string }

const NODE_STYLES: Record<NodeKind, NodeStyle> = {
  'entry': { fill: '#dbeafe', stroke: '#1d4ed8', shape: 'box' },
  'route': { fill: '#e0f2fe', stroke: '#0369a1', shape: 'box' },
  'service': { fill: '#dcfce7', stroke: '#15803d', shape: 'box' },
  'workload': { fill: '#fef9c3', stroke: '#a16207', shape: 'box' },
  'peer': { fill: '#f3e8ff', stroke: '#7e22ce', shape: 'ellipse' },
  'monitor': { fill: '#ffedd5', stroke: '#c2410c', shape: 'ellipse' },
  'external': { fill: '#f1f5f9', stroke: '#475569', shape: 'ellipse' },
  'secret': { fill: '#fce7f3', stroke: '#be185d', shape: 'box' },
  'secret-source': { fill: '#fdf2f8', stroke: '#be185d', shape: 'box' },
};

const WIDE = { fill: '#fee2e2', stroke: '#dc2626' };

interface EdgeStyle { readonly color: string; readonly style: 'solid' | 'dashed' | 'dotted' }

const EDGE_STYLES: Record<EdgeKind, EdgeStyle> = {
  route: { color: '#1d4ed8', style: 'solid' },
  backend: { color: '#1d4ed8', style: 'solid' },
  selects: { color: '#15803d', style: 'solid' },
  traffic: { color: '#0f766e', style: 'solid' },
  scrape: { color: '#c2410c', style: 'dashed' },
  alerts: { color: '#c2410c', style: 'dotted' },
  telemetry: { color: '#7e22ce', style: 'dashed' },
  secret: { color: '#be185d', style: 'dotted' },
  source: { color: '#be185d', style: 'dotted' },
};

const EDGE_PREFIX: Partial<Record<EdgeKind, string>> = { traffic: 'allows ', scrape: 'scrape ', secret: '' };

/** Short, stable ids (`n0`, `n1`...) in node-id order, for formats that want plain identifiers. */
function shortIds(graph: PlatformGraph): Map<string, string> {
  return new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
}

interface Layout {
  readonly namespaces: { name: string; groups: { id: string; label: string; nodes: GraphNode[] }[]; loose: GraphNode[] }[];
  readonly outside: GraphNode[];
}

/** Nodes placed into namespaces and service groups, everything sorted. */
function layout(graph: PlatformGraph): Layout {
  const names = [...new Set(graph.nodes.map((n) => n.namespace).filter((n): n is string => n !== undefined))].sort(byString);
  return {
    namespaces: names.map((name) => ({
      name,
      groups: graph.groups.filter((g) => g.namespace === name)
        .map((g) => ({ id: g.id, label: g.label, nodes: graph.nodes.filter((n) => n.group === g.id) }))
        .filter((g) => g.nodes.length > 0),
      loose: graph.nodes.filter((n) => n.namespace === name && n.group === undefined),
    })),
    outside: graph.nodes.filter((n) => n.namespace === undefined),
  };
}

function edgeText(kind: EdgeKind, label: string): string {
  return label === '' ? '' : `${EDGE_PREFIX[kind] ?? ''}${label}`;
}

// ---- DOT

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Graphviz DOT text of the graph: namespaces and service groups as clusters. */
export function toDot(graph: PlatformGraph, title = 'platform'): string {
  const ids = shortIds(graph);
  const lines: string[] = [
    'digraph platform {',
    `  graph [rankdir=LR, fontname="Courier", fontsize=12, nodesep=0.2, ranksep=0.7, labelloc=t, label=${dotString(title)}];`,
    // Courier: Graphviz sizes boxes from its metrics, and every monospace font a browser falls back to has the same widths.
    '  node [fontname="Courier", fontsize=10, style="rounded,filled", penwidth=1.2, margin="0.12,0.06"];',
    '  edge [fontname="Courier", fontsize=9, arrowsize=0.7];',
  ];
  const nodeLine = (n: GraphNode, indent: string): string => {
    const style = NODE_STYLES[n.kind];
    const fill = n.wide ? WIDE.fill : style.fill;
    const stroke = n.wide || n.missing ? WIDE.stroke : style.stroke;
    const label = [n.label, ...n.details].join('\n');
    const dashed = n.missing || n.kind === 'external' ? ',dashed' : '';
    return `${indent}${ids.get(n.id)} [label=${dotString(label)}, shape=${style.shape}, fillcolor="${fill}", color="${stroke}", style="rounded,filled${dashed}"${n.wide ? ', penwidth=2' : ''}];`;
  };
  const l = layout(graph);
  l.namespaces.forEach((ns, i) => {
    lines.push(`  subgraph cluster_ns${i} {`);
    lines.push(`    label=${dotString(`namespace ${ns.name}`)}; style="rounded,dashed"; color="#94a3b8"; fontcolor="#334155";`);
    ns.groups.forEach((g, j) => {
      lines.push(`    subgraph cluster_ns${i}_g${j} {`);
      lines.push(`      label=${dotString(g.label)}; style="rounded,filled"; fillcolor="#f8fafc"; color="#cbd5e1";`);
      g.nodes.forEach((n) => lines.push(nodeLine(n, '      ')));
      lines.push('    }');
    });
    ns.loose.forEach((n) => lines.push(nodeLine(n, '    ')));
    lines.push('  }');
  });
  l.outside.forEach((n) => lines.push(nodeLine(n, '  ')));
  for (const e of graph.edges) {
    const style = EDGE_STYLES[e.kind];
    const attrs = [`color="${e.wide ? WIDE.stroke : style.color}"`, `style=${style.style}`];
    const text = edgeText(e.kind, e.label);
    if (text !== '') {
      attrs.push(`label=${dotString(text)}`, `fontcolor="${e.wide ? WIDE.stroke : style.color}"`);
    }
    if (e.wide) {
      attrs.push('penwidth=2.2');
    }
    lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

// ---- Mermaid

function mermaidText(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** Mermaid flowchart text (renders in GitHub Markdown). */
export function toMermaid(graph: PlatformGraph, title = 'platform'): string {
  const ids = shortIds(graph);
  const lines: string[] = ['---', `title: ${JSON.stringify(title)}`, '---', 'flowchart LR'];
  const nodeLine = (n: GraphNode, indent: string): string =>
    `${indent}${ids.get(n.id)}["${[n.label, ...n.details].map(mermaidText).join('<br/>')}"]`;
  const l = layout(graph);
  l.namespaces.forEach((ns, i) => {
    lines.push(`  subgraph ns${i}["namespace ${mermaidText(ns.name)}"]`);
    ns.groups.forEach((g, j) => {
      lines.push(`    subgraph ns${i}g${j}["${mermaidText(g.label)}"]`);
      g.nodes.forEach((n) => lines.push(nodeLine(n, '      ')));
      lines.push('    end');
    });
    ns.loose.forEach((n) => lines.push(nodeLine(n, '    ')));
    lines.push('  end');
  });
  l.outside.forEach((n) => lines.push(nodeLine(n, '  ')));
  const linkStyles = new Map<string, number[]>();
  graph.edges.forEach((e, i) => {
    const style = EDGE_STYLES[e.kind];
    const arrow = e.wide ? '==>' : style.style === 'solid' ? '-->' : '-.->';
    const text = edgeText(e.kind, e.label);
    lines.push(`  ${ids.get(e.from)} ${arrow}${text === '' ? '' : `|"${mermaidText(text)}"|`} ${ids.get(e.to)}`);
    const key = `stroke:${e.wide ? WIDE.stroke : style.color}${e.wide ? ',stroke-width:3px' : ''}`;
    linkStyles.set(key, [...(linkStyles.get(key) ?? []), i]);
  });
  const kinds = [...new Set(graph.nodes.map((n) => n.kind))].sort(byString);
  for (const kind of kinds) {
    const s = NODE_STYLES[kind];
    lines.push(`  classDef ${kind.replace('-', '_')} fill:${s.fill},stroke:${s.stroke}`);
    lines.push(`  class ${graph.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.id)).join(',')} ${kind.replace('-', '_')}`);
  }
  const flagged = graph.nodes.filter((n) => n.wide || n.missing);
  if (flagged.length > 0) {
    lines.push(`  classDef flagged fill:${WIDE.fill},stroke:${WIDE.stroke},stroke-width:2px`);
    lines.push(`  class ${flagged.map((n) => ids.get(n.id)).join(',')} flagged`);
  }
  for (const [style, indexes] of [...linkStyles.entries()].sort(([a], [b]) => byString(a, b))) {
    lines.push(`  linkStyle ${indexes.join(',')} ${style}`);
  }
  return lines.join('\n') + '\n';
}

// ---- JSON and SVG

/** The graph as pretty JSON, for tools. */
export function toJson(graph: PlatformGraph): string {
  return JSON.stringify(graph, null, 2) + '\n';
}

/**
 * SVG rendered by Graphviz compiled to WebAssembly (`@viz-js/viz`), loaded on
 * first use so that importing the constructs never pays for it.
 */
export async function toSvg(graph: PlatformGraph, title = 'platform'): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const viz: typeof import('@viz-js/viz') = require('@viz-js/viz');
  const instance = await viz.instance();
  return instance.renderString(toDot(graph, title), { format: 'svg' });
}

/** Renders the graph in one of the formats. */
export async function renderGraph(graph: PlatformGraph, format: GraphFormat, title?: string): Promise<string> {
  switch (format) {
    case 'svg': return toSvg(graph, title);
    case 'mermaid': return toMermaid(graph, title);
    case 'dot': return toDot(graph, title);
    case 'json': return toJson(graph);
  }
}
