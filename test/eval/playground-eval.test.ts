/**
 * The playground's Eval tab in headless Chromium: it lists an agent's cases,
 * runs them on the dev server and fills in each row as its case finishes
 * (one case is held back until the test releases it, so the table is seen
 * updating live), then shows the pass rate. The server, runtime and route are
 * real; the served model is the shipped scripted one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { composeService } from '../../shared/compose/compose-service.js';
import { currentCase } from '../../shared/eval/case-context.js';
import { turnsForCase } from '../../local/eval/script.js';
import type { EvalCase } from '../../shared/eval/types.js';
import type { IRAgent } from '../../shared/ir/types.js';
import { createScriptedProvider } from '../../local/eval/scripted-provider.js';
import type { ModelProvider } from '../../shared/llm/types.js';
import { startServer, type RunningServer } from '../../local/server.js';
import { playgroundHtml } from '../../local/playground/build-playground.js';
import { agent, irOf } from '../helpers/ir-builder.js';
import { launchChromium } from '../local/chromium.js';

const evalCase = (name: string, more: Partial<EvalCase>): EvalCase => ({ name, input: `about ${name}`, scoring: 'exact', threshold: 0.8, tags: [], ...more });
const withCases = (a: IRAgent, cases: EvalCase[]): IRAgent => ({ ...a, attributes: { ...a.attributes, eval: cases } as IRAgent['attributes'] });

describe('playground Eval tab', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    const scripted = createScriptedProvider(() => turnsForCase(currentCase()!));
    // the "slow" case's model call waits for the test; the others answer at once
    const model: ModelProvider = {
      async *stream(request, signal) {
        if (currentCase()?.case.name === 'slow') await held;
        yield* scripted.stream(request, signal);
      },
    };
    const ir = irOf(
      withCases(agent('helper'), [
        evalCase('greets', { expect: 'Hello!' }),
        evalCase('slow', { expect: 'Done at last' }),
        evalCase('regex', { expect: '^\\d+$', scoring: 'regex' }),
      ]),
      withCases(agent('other'), [evalCase('solo', { expect: 'x', tags: ['smoke'] })]),
    );
    const service = await composeService({ ir }, { providerFor: () => model });
    server = await startServer({
      runtime: () => service.runtime,
      logger: service.logger,
      telemetry: service.telemetry,
      port: 0,
      apiKeys: false,
      playgroundHtml: await playgroundHtml(),
      notice: () => {},
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    release();
    await browser?.close();
    await server?.close();
  });

  it('lists the cases of each agent that declares some', async () => {
    await page.goto(server.url);
    await page.click('#tab-eval');
    expect(await page.locator('main').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#eval-agent option').allTextContents()).toEqual(['helper', 'other']);
    expect(await page.locator('#eval-cases tbody tr .name').allTextContents()).toEqual(['greets', 'slow', 'regex']);
    expect(await page.locator('#eval-cases tbody tr .scoring').allTextContents()).toEqual(['exact', 'exact', 'regex']);
    await page.selectOption('#eval-agent', 'other');
    expect(await page.locator('#eval-cases tbody tr .tags').allTextContents()).toEqual(['smoke']);
    await page.selectOption('#eval-agent', 'helper');
  });

  it('runs the cases and fills each row in as its case finishes', async () => {
    await page.click('#eval-run');
    const row = (name: string) => page.locator(`#eval-cases tr[data-case="${name}"]`);
    await expect.poll(() => row('greets').getAttribute('data-status'), { timeout: 15_000 }).toBe('passed');
    await expect.poll(() => row('regex').getAttribute('data-status')).toBe('failed');
    // the held case is still running while the others are already scored
    expect(await row('slow').getAttribute('data-status')).toBe('running');
    expect(await row('slow').locator('.result').textContent()).toBe('running…');
    expect(await row('greets').locator('.score').textContent()).toBe('1.00');
    expect(await row('regex').locator('.result').textContent()).toBe('FAIL');
    release();
    await expect.poll(() => row('slow').getAttribute('data-status'), { timeout: 15_000 }).toBe('passed');
    await expect.poll(() => page.locator('#eval-summary').textContent()).toMatch(/^2\/3 passed \(66\.7%\) · \d+ ms$/);
    expect(await row('slow').getAttribute('title')).toBe('answer: Done at last');
    await page.screenshot({ path: 'test-artifacts/playground-eval.png' }).catch(() => {});
  });

  it('goes back to the chat', async () => {
    await page.click('#tab-eval');
    expect(await page.locator('main').isVisible()).toBe(true);
    expect(await page.locator('#eval-panel').isHidden()).toBe(true);
  });
});
