/**
 * The graph page in headless Chromium, opened from file:// as a user would
 * open what `agentspec graph` wrote: every node and edge of the extracted
 * graph is drawn, a click shows a node's attributes and lights its edges,
 * the filter box, the legend, pan and zoom work, fifty nodes do not overlap
 * and fit the window, and the page makes no request and tries none. A
 * screenshot is kept in test-artifacts/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadPackage } from '../../local/package/load-package.js';
import { extractGraph } from '../../local/graph/extract.js';
import { renderHtml } from '../../local/graph/html.js';
import { type Graph } from '../../local/graph/graph.js';
import { launchChromium } from '../local/chromium.js';
import { fullIr } from './full-ir.js';
import { largeIr } from './large-ir.js';

const tmp = mkdtempSync(join(tmpdir(), 'agentspec-graph-page-'));

interface Opened {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Page errors and Content-Security-Policy violations (an attempted request shows as one). */
  problems: string[];
}

/** The drawn nodes' ids and edges' [from, kind, to], from the SVG's data attributes. */
function drawn(page: Page) {
  return page.evaluate<{ nodes: string[]; edges: string[][] }>(`({
    nodes: [...document.querySelectorAll('g.node')].map((g) => g.dataset.id),
    edges: [...document.querySelectorAll('g.edge')].map((g) => [g.dataset.from, g.dataset.kind, g.dataset.to]),
  })`);
}

/** The node boxes that overlap each other or lie outside the canvas, and the narrowest box's width on screen. */
const LAYOUT_CHECK = `(() => {
  const canvas = document.getElementById('canvas').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('g.node')].map((g) => ({ id: g.dataset.id, r: g.querySelector('rect').getBoundingClientRect() }));
  const overlaps = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom) overlaps.push(a.id + ' ' + b.id);
  }));
  const outside = boxes.filter((b) => b.r.left < canvas.left || b.r.right > canvas.right || b.r.top < canvas.top || b.r.bottom > canvas.bottom);
  return { overlaps, outside: outside.map((b) => b.id), smallest: Math.min(...boxes.map((b) => b.r.width)) };
})()`;

interface LayoutCheck {
  overlaps: string[];
  outside: string[];
  smallest: number;
}

/** The `data-*` attribute `name` of every element matching `selector`. */
const dataOf = (page: Page, selector: string, name = 'data-id') => page.$$eval(selector, (els, n) => els.map((e) => e.getAttribute(n)), name);

const expected = (graph: Graph) => ({ nodes: graph.nodes.map((n) => n.id), edges: graph.edges.map((e) => [e.from, e.kind, e.to]) });

describe('the graph page in a browser', () => {
  let browser: Browser;
  const opened: Opened[] = [];

  async function open(file: string): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const result: Opened = { page, requests: [], problems: [] };
    page.on('request', (r) => result.requests.push(r.url()));
    page.on('pageerror', (e) => result.problems.push(e.message));
    await page.addInitScript(
      "window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.blockedURI || e.violatedDirective));",
    );
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready]');
    opened.push(result);
    return result;
  }

  async function noRequests(o: Opened, file: string) {
    const violations = await o.page.evaluate<string[]>('window.violations');
    expect(violations).toEqual([]);
    expect(o.requests).toEqual([pathToFileURL(file).href]);
    expect(o.problems).toEqual([]);
  }

  let support: { file: string; graph: Graph; o: Opened };

  beforeAll(async () => {
    const file = join(tmp, 'support.html');
    // what a user runs: the CLI writes the page
    await promisify(execFile)(process.execPath, ['bin/agentspec.js', 'graph', 'examples/support/agents.ias', '--output', file], { timeout: 60_000 });
    const { ir } = await loadPackage('examples/support/agents.ias');
    browser = await launchChromium();
    support = { file, graph: extractGraph(ir), o: await open(file) };
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every node and every edge of the support example', async () => {
    expect(await drawn(support.o.page)).toEqual(expected(support.graph));
    // and all of them inside the window after the initial fit
    const { outside } = await support.o.page.evaluate<LayoutCheck>(LAYOUT_CHECK);
    expect(outside).toEqual([]);
  });

  it('shows the attributes of a clicked node and lights its edges, and follows a link to a neighbour', async () => {
    const { page } = support.o;
    await page.click('g.node[data-id="agent:support-bot"]');
    await expect.poll(() => page.isVisible('#details')).toBe(true);
    expect(await page.textContent('#details-name')).toBe('support-bot');
    expect(await page.textContent('#details-kind')).toBe('agent');
    expect(await page.textContent('#details-attributes tr[data-attribute="model"] td')).toBe('claude-sonnet-4-20250514');
    expect(await page.textContent('#details-attributes tr[data-attribute="max_turns"] td')).toBe('8');
    const lit = await dataOf(page, 'g.edge.highlighted', 'data-index');
    const touching = support.graph.edges.flatMap((e, i) => (e.from === 'agent:support-bot' || e.to === 'agent:support-bot' ? [String(i)] : []));
    expect(lit).toEqual(touching);
    expect(await page.textContent('#details-out')).toContain('delegates to (the user asks for a refund or about an invoice) billing');

    await page.click('#details-out button:text-is("billing")');
    await expect.poll(() => page.textContent('#details-name')).toBe('billing');
    expect(await page.getAttribute('g.node[data-id="agent:billing"]', 'class')).toContain('selected');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.isVisible('#details')).toBe(false);
    expect(await page.$$('g.edge.highlighted')).toHaveLength(0);
  });

  it('filters by name, kind or attribute text, and Enter selects the first match', async () => {
    const { page } = support.o;
    await page.fill('#search', 'cancel');
    const matched = await dataOf(page, 'g.node:not(.unmatched)');
    expect(matched).toEqual(['skill:cancel-order', 'agent:support-bot']);
    expect(await page.textContent('#count')).toBe(`2 of ${support.graph.nodes.length} nodes`);
    await page.press('#search', 'Enter');
    await expect.poll(() => page.textContent('#details-name')).toBe('cancel-order');
    await page.fill('#search', '');
    expect(await page.$$('g.node.unmatched')).toHaveLength(0);
    await page.keyboard.press('Escape');
  });

  it('hides a kind from the legend, with the edges that touch it', async () => {
    const { page } = support.o;
    await page.uncheck('#legend-kinds li[data-kind="secret"] input');
    expect(await dataOf(page, 'g.node.hidden')).toEqual(['secret:anthropic-key']);
    expect(await dataOf(page, 'g.edge.hidden', 'data-to')).toEqual(['secret:anthropic-key']);
    await page.check('#legend-kinds li[data-kind="secret"] input');
    expect(await page.$$('.hidden')).toHaveLength(0);
  });

  it('pans by dragging the background and zooms with the wheel around the pointer', async () => {
    const { page } = support.o;
    const transform = () => page.getAttribute('#viewport', 'transform');
    const parse = (t: string | null) => (/translate\(([-\d.e]+),([-\d.e]+)\) scale\(([-\d.e]+)\)/.exec(t ?? '') ?? []).slice(1).map(Number);
    await page.click('#fit');
    const [x0, y0, k0] = parse(await transform());
    const canvas = (await page.locator('#canvas').boundingBox())!;
    // a corner of the canvas holds no node
    await page.mouse.move(canvas.x + 8, canvas.y + canvas.height - 8);
    await page.mouse.down();
    await page.mouse.move(canvas.x + 108, canvas.y + canvas.height - 48, { steps: 4 });
    await page.mouse.up();
    const [x1, y1, k1] = parse(await transform());
    expect([x1! - x0!, y1! - y0!, k1]).toEqual([100, -40, k0]);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => parse(await transform())[2]!).toBeGreaterThan(k0!);
    // the point of the graph under the pointer stays under it
    const [x2, y2, k2] = parse(await transform());
    const [cx, cy] = [108, canvas.height - 48];
    expect((cx - x2!) / k2!).toBeCloseTo((cx - x1!) / k1!, 6);
    expect((cy - y2!) / k2!).toBeCloseTo((cy - y1!) / k1!, 6);
    await page.click('#fit');
    expect(parse(await transform())).toEqual([x0, y0, k0]);
  });

  it('made no request besides its own file, and tried none', async () => {
    await noRequests(support.o, support.file);
  });

  it('would see a request the page tried: the policy blocks it and the check reports it', async () => {
    const file = join(tmp, 'tries.html');
    writeFileSync(file, renderHtml(support.graph).replace('</body>', '<img src="http://127.0.0.1:9/probe.png"></body>'));
    const o = await open(file);
    await expect.poll(() => o.page.evaluate<string[]>('window.violations')).toEqual(['http://127.0.0.1:9/probe.png']);
    expect(o.requests).toEqual([pathToFileURL(file).href, 'http://127.0.0.1:9/probe.png']);
  });

  it('draws the 3.0 kinds (guardrails, users, on_input references) of a hand-built IR and shows on_input as code', async () => {
    const file = join(tmp, 'full.html');
    const graph = extractGraph(fullIr());
    writeFileSync(file, renderHtml(graph));
    const o = await open(file);
    expect(await drawn(o.page)).toEqual(expected(graph));
    expect(await dataOf(o.page, '#legend-kinds li', 'data-kind')).toEqual(expect.arrayContaining(['guardrail', 'user', 'step', 'deploy', 'secret', 'type']));
    await o.page.click('g.node[data-id="agent:triage"]');
    expect(await o.page.textContent('#details-attributes tr[data-attribute="on_input"] pre')).toBe(
      'if input.urgent\n  delegate to backup\nelse\n  for each q in input.queries\n    use skill shell with { q: q }\nrespond config.greeting',
    );
    mkdirSync('test-artifacts', { recursive: true });
    await o.page.screenshot({ path: 'test-artifacts/graph.png' });
    await noRequests(o, file);
  });

  it('draws compiled IntentLang 3.0 packages: guardrails, users and on_input references', async () => {
    for (const [name, focus] of [
      ['16-v3-guardrail-user.ias', 'user:alice'],
      ['15-v3-on-input.ias', 'agent:router'],
    ] as const) {
      const { ir } = await loadPackage(join('test/fixtures/corpus/valid', name));
      const graph = extractGraph(ir);
      const file = join(tmp, `${name}.html`);
      writeFileSync(file, renderHtml(graph));
      const o = await open(file);
      expect(await drawn(o.page)).toEqual(expected(graph));
      await o.page.click(`g.node[data-id="${focus}"]`);
      const lit = await dataOf(o.page, 'g.edge.highlighted', 'data-kind');
      expect(lit).toEqual(graph.edges.filter((e) => e.from === focus || e.to === focus).map((e) => e.kind));
      await noRequests(o, file);
    }
  });

  it('keeps fifty-odd nodes apart and inside the window, in either direction', async () => {
    const file = join(tmp, 'large.html');
    const graph = extractGraph(largeIr());
    expect(graph.nodes.length).toBeGreaterThanOrEqual(50);
    writeFileSync(file, renderHtml(graph));
    const o = await open(file);
    expect(await drawn(o.page)).toEqual(expected(graph));
    const check = () => o.page.evaluate<LayoutCheck>(LAYOUT_CHECK);
    const first = await check();
    expect(first).toMatchObject({ overlaps: [], outside: [] });
    // a node box (176 units wide) stays over half its size at the initial fit: names stay readable
    expect(first.smallest).toBeGreaterThan(88);
    const direction = await o.page.getAttribute('body', 'data-direction');
    await o.page.click('#turn');
    expect(await o.page.getAttribute('body', 'data-direction')).not.toBe(direction);
    expect(await check()).toMatchObject({ overlaps: [], outside: [] });
    await noRequests(o, file);
  });
});
