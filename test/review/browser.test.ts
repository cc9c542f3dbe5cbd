/// <reference lib="dom" />
// The functions passed to page.evaluate run in the browser page.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildGraph, PlatformGraph } from '../../lib/review/graph-model';
import { readManifestDir } from '../../lib/review/manifests';
import { toMermaid, toSvg } from '../../lib/review/render';

/**
 * The pictures as a reviewer sees them: the SVG and the Mermaid text opened in
 * a real headless Chromium (Debian's `chromium`; CI installs it through
 * scripts/ci-review.sh). Without Chromium these tests fail under CI=true and
 * are skipped, loudly, on a developer machine.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
// The network is closed where tests run; these flags keep Chromium from reaching out.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

jest.setTimeout(180_000);

if (!HAVE_CHROMIUM) {
  if (process.env.CI) {
    test('Chromium is installed for the browser tests', () => {
      throw new Error(`${CHROMIUM} not found: CI installs it with scripts/ci-review.sh (apt-get install chromium)`);
    });
  } else {
    console.warn(`SKIPPED browser tests: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
}

const maybe = HAVE_CHROMIUM ? describe : describe.skip;

maybe('the platform pictures in headless Chromium', () => {
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  let graph: PlatformGraph;

  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'review-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1600, height: 1000 } });
    page = context.pages()[0] ?? await context.newPage();
    graph = buildGraph(readManifestDir(path.join(ROOT, 'dist', 'staging')));
  });

  afterAll(async () => {
    await context?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });

  /** Share of pixels of a PNG that are not white, measured by drawing it on a canvas in the page. */
  async function inkRatio(png: Buffer): Promise<{ ink: number; colors: number }> {
    return page.evaluate(async (dataUrl) => {
      const img = new Image();
      img.src = dataUrl;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      let ink = 0;
      const colors = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245) {
          ink++;
        }
        colors.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      return { ink: ink / (data.length / 4), colors: colors.size };
    }, `data:image/png;base64,${png.toString('base64')}`);
  }

  test('the SVG renders every node and edge, and the screenshot is not blank', async () => {
    // GIVEN the staging picture as the README shows it
    const svg = await toSvg(graph, 'staging');
    // WHEN Chromium opens it
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    // THEN it has one drawn group per node and per edge, with a real size
    const counts = await page.evaluate(() => ({
      nodes: document.querySelectorAll('svg g.node').length,
      edges: document.querySelectorAll('svg g.edge').length,
      clusters: document.querySelectorAll('svg g.cluster').length,
      paths: document.querySelectorAll('svg g.edge path').length,
      width: document.querySelector('svg')!.getBoundingClientRect().width,
      height: document.querySelector('svg')!.getBoundingClientRect().height,
    }));
    expect(counts.nodes).toBe(graph.nodes.length);
    expect(counts.edges).toBe(graph.edges.length);
    expect(counts.paths).toBe(graph.edges.length);
    expect(counts.clusters).toBeGreaterThanOrEqual(3);
    expect(counts.width).toBeGreaterThan(500);
    expect(counts.height).toBeGreaterThan(300);
    // AND a node label is laid out as visible text
    const label = page.locator('svg g.node text', { hasText: /^Deployment orders$/ });
    expect(await label.count()).toBe(1);
    expect((await label.boundingBox())!.width).toBeGreaterThan(50);
    const shot = await page.screenshot({ fullPage: true });
    fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'build', 'review-staging.png'), shot);
    const { ink, colors } = await inkRatio(shot);
    expect(ink).toBeGreaterThan(0.01);
    expect(colors).toBeGreaterThan(8);
  });

  test('the Mermaid text parses and renders with the mermaid package in the page', async () => {
    const text = toMermaid(graph, 'staging');
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
    const result = await page.evaluate(async (source) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const mermaid = (window as any).mermaid;
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const parsed = await mermaid.parse(source);
      let broken = '';
      try {
        await mermaid.parse(source.replace('flowchart LR', 'flowchart LR\n  n0 -->|"x"'));
      } catch (err) {
        broken = String(err).slice(0, 40);
      }
      const { svg } = await mermaid.render('platform', source);
      document.getElementById('out')!.innerHTML = svg;
      return {
        type: parsed.diagramType,
        broken,
        nodes: document.querySelectorAll('#out g.node').length,
        // Mermaid draws a self-loop as several segments (`<id>-cyclic-special-*`): count edges by id.
        edges: new Set(Array.from(document.querySelectorAll('#out .edgePaths path'))
          .map((p) => (p.getAttribute('data-id') ?? p.id).replace(/-cyclic-special-.*$/, ''))).size,
      };
    }, text);
    expect(result.type).toBe('flowchart-v2');
    expect(result.broken).not.toBe('');
    expect(result.nodes).toBe(graph.nodes.length);
    expect(result.edges).toBe(graph.edges.length);
  });
});
