/**
 * The playground, end to end in headless Chromium: a person picks an agent,
 * sends a message, watches the text stream in and the tool call appear with
 * its input, output and duration, continues in the session, and runs a
 * pipeline. The page talks to the real server, runtime and a real command
 * tool; only the Anthropic API is the scripted fake. A screenshot is kept in
 * test-artifacts/. A second package (no pipelines, a prompt variable, a
 * skill needing approval) shows the variables sent, no Pipelines panel,
 * Approve / Reject resuming the chat, and not one failed request.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { compile } from '../../shared/lang/index.js';
import { composeService } from '../../shared/compose/compose-service.js';
import { startServer, type RunningServer } from '../../local/server.js';
import { playgroundHtml } from '../../local/playground/build-playground.js';
import { startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from '../helpers/fake-anthropic/index.js';
import { launchChromium } from './chromium.js';
import { scriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider.js';
import { SHOUT_AGENT } from '../helpers/shout-agent.js';

const SOURCE = `package "play" version "1.0.0" lang "2.0"

prompt "helper" {
  content "You echo things."
}

prompt "writer" {
  content "Summarize the findings."
}

skill "echo" {
  description "Echo a text back"
  input {
    text string required
  }
  tool command {
    binary "cat"
  }
}

agent "echoer" {
  uses prompt "helper"
  uses skill "echo"
  model "claude-haiku-4-5"
}

agent "writer" {
  uses prompt "writer"
  model "claude-haiku-4-5"
}

pipeline "digest" {
  step "first" {
    agent "writer"
    input "{{trigger.topic}}"
  }
  step "second" {
    agent "writer"
    depends_on ["first"]
    input "Again: {{steps.first.output}}"
  }
}
`;

function lastMessageHasToolResult(request: RecordedRequest): boolean {
  const messages = request.body.messages as { content: unknown }[];
  const last = messages.at(-1)?.content;
  return Array.isArray(last) && last.some((b: { type?: string }) => b.type === 'tool_result');
}

function systemText(request: RecordedRequest): string {
  return JSON.stringify(request.body.system ?? '');
}

describe('playground in a browser', () => {
  let fake: FakeAnthropic;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const saved = { url: process.env.ANTHROPIC_BASE_URL, key: process.env.ANTHROPIC_API_KEY };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    fake.respond((request) => {
      if (systemText(request).includes('Summarize')) return { text: 'digest step done' };
      if (lastMessageHasToolResult(request)) return { text: ['The echo tool ', 'said hello.'], chunkDelayMs: 20 };
      const messages = request.body.messages as unknown[];
      if (messages.length > 1) return { text: 'Still here, same session.' };
      return { toolUses: [{ name: 'echo', input: { text: 'hello' } }] };
    });
    process.env.ANTHROPIC_BASE_URL = fake.url;
    process.env.ANTHROPIC_API_KEY = 'test-key';
    const { ir, diagnostics } = compile(SOURCE, { file: 'play.ias' });
    if (!ir) throw new Error(`fixture does not compile: ${JSON.stringify(diagnostics)}`);
    const service = await composeService({ ir });
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
    await browser?.close();
    await server?.close();
    await fake?.close();
    process.env.ANTHROPIC_BASE_URL = saved.url;
    process.env.ANTHROPIC_API_KEY = saved.key;
  });

  it('lists the agents and pipelines of the package', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.locator('#agent option').count()).toBe(2);
    expect(await page.locator('#agent').inputValue()).toBe('echoer');
    expect(await page.locator('#pipeline option').first().textContent()).toContain('digest');
    expect(await page.locator('#pipelines-panel').isVisible()).toBe(true);
  });

  it('streams the answer and shows the tool call with its input, output and duration', async () => {
    await page.fill('#message', 'please echo hello');
    await page.press('#message', 'Enter');

    const tool = page.locator('.tool[data-status="ok"]');
    await tool.waitFor({ timeout: 15_000 });
    await tool.locator('summary').click();
    expect(await tool.locator('summary').textContent()).toMatch(/tool echo — ok in \d+ ms/);
    expect(JSON.parse((await tool.locator('.tool-input').textContent()) ?? '')).toEqual({ text: 'hello' });
    expect(JSON.parse((await tool.locator('.tool-output').textContent()) ?? '')).toEqual({ text: 'hello' });

    const answer = page.locator('.msg.assistant').first();
    await expect.poll(() => answer.textContent(), { timeout: 15_000 }).toBe('The echo tool said hello.');
    await expect.poll(() => page.locator('#stats').textContent()).toMatch(/2 turns/);
    expect(await page.locator('#session').textContent()).toMatch(/^session /);
  });

  it('continues the conversation in the same session', async () => {
    const before = fake.requests.length;
    await page.fill('#message', 'are you still there?');
    await page.press('#message', 'Enter');
    await expect.poll(() => page.locator('.msg.assistant').nth(1).textContent(), { timeout: 15_000 }).toBe('Still here, same session.');

    const sent = fake.requests[before]!.body.messages as { role: string }[];
    expect(sent.length).toBeGreaterThan(1);
    expect(JSON.stringify(sent)).toContain('please echo hello');
  });

  it('runs a pipeline and shows each step', async () => {
    await page.fill('#trigger', '{"topic": "tea"}');
    await page.click('#pipeline-form button[type=submit]');
    await page.locator('.pipeline-status.succeeded').waitFor({ timeout: 15_000 });
    expect(await page.locator('.step.succeeded').count()).toBe(2);
    expect(await page.locator('[data-step="second"] pre').textContent()).toBe('digest step done');

    await mkdir('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/playground.png', fullPage: true });
  });
});

const REVIEWED = `package "reviewed" version "1.0.0" lang "2.0"

prompt "helper" {
  content "You help {{customer}}."
  variables {
    customer string required
  }
}

${SHOUT_AGENT.replace('agent "helper" {', 'agent "helper" {\n  uses prompt "helper"')}`;

describe('playground: variables, approvals, no pipelines', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let model: ScriptedProvider;
  const failed: string[] = [];

  beforeAll(async () => {
    model = scriptedProvider().otherwise((request) => {
      const last = JSON.stringify(request.messages.at(-1));
      if (last.includes('tool_result')) return { text: last.includes('not today') ? 'Alright, quietly then.' : 'Shouted it.' };
      return last.includes('shout') ? { toolUses: [{ name: 'shout', input: { text: 'hi' } }] } : { text: 'Hello there.' };
    });
    const { ir, diagnostics } = compile(REVIEWED, { file: 'reviewed.ias' });
    if (!ir) throw new Error(`fixture does not compile: ${JSON.stringify(diagnostics)}`);
    // the deployment's override makes every call of `shout` wait for a person
    process.env.AGENTSPEC_APPROVAL_SHOUT = 'required';
    try {
      const service = await composeService({ ir }, { providerFor: () => model });
      server = await startServer({
        runtime: () => service.runtime,
        logger: service.logger,
        port: 0,
        apiKeys: false,
        playgroundHtml: await playgroundHtml(),
        notice: () => {},
      });
    } finally {
      delete process.env.AGENTSPEC_APPROVAL_SHOUT;
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    // the client closes a run's stream itself once the final event is in (net::ERR_ABORTED): that is not a failure
    page.on('requestfailed', (request) => {
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`failed ${request.url()}: ${request.failure()?.errorText}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') failed.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('has no Pipelines panel when the package has no pipeline', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.locator('#agent option').count()).toBe(1);
    expect(await page.locator('#pipelines-panel').isHidden()).toBe(true);
  });

  it("sends the agent's prompt variables", async () => {
    await page.click('#variables-panel summary');
    const declared = page.locator('#variable-fields input[data-var="customer"]');
    // the server lists the agent's variables: a field per variable, no free name=value lines
    expect(await declared.count()).toBe(1);
    expect(await page.locator('#variables').isHidden()).toBe(true);
    await declared.fill('Ada Lovelace');
    await page.fill('#message', 'hello');
    await page.press('#message', 'Enter');
    await expect.poll(() => page.locator('.msg.assistant').last().textContent(), { timeout: 15_000 }).toBe('Hello there.');
    expect(JSON.stringify(model.requests.at(-1)!.system)).toContain('You help Ada Lovelace.');
  });

  it('shows a pending approval with the tool and its input; Approve resumes the chat', async () => {
    await page.fill('#message', 'shout hi');
    await page.press('#message', 'Enter');
    const card = page.locator('.approval[data-status="pending"]');
    await card.waitFor({ timeout: 15_000 });
    expect(await card.locator('.approval-head').textContent()).toBe('approval needed: tool shout');
    expect(JSON.parse((await card.locator('.approval-input').textContent()) ?? '')).toEqual({ text: 'hi' });
    await expect.poll(() => page.locator('#stats').textContent()).toBe('waiting for 1 approval(s)');

    await card.locator('button.approve').click();
    const tool = page.locator('.tool[data-status="ok"]');
    await tool.waitFor({ timeout: 15_000 });
    expect(JSON.parse((await tool.locator('.tool-output').textContent()) ?? '')).toEqual({ TEXT: 'HI' });
    await expect.poll(() => page.locator('.msg.assistant').last().textContent(), { timeout: 15_000 }).toBe('Shouted it.');
    expect(await page.locator('.approval').first().getAttribute('data-status')).toBe('approved');
  });

  it('asks for a reason before rejecting; the model reads it and the chat goes on', async () => {
    await page.fill('#message', 'shout again');
    await page.press('#message', 'Enter');
    const card = page.locator('.approval[data-status="pending"]');
    await card.waitFor({ timeout: 15_000 });
    await card.locator('button.reject').click();
    expect(await card.getAttribute('data-status')).toBe('pending');
    expect(await card.locator('.approval-reason').getAttribute('placeholder')).toBe('a reason is required to reject');

    await card.locator('.approval-reason').fill('not today');
    await card.locator('button.reject').click();
    await expect.poll(() => page.locator('.msg.assistant').last().textContent(), { timeout: 15_000 }).toBe('Alright, quietly then.');
    expect(await page.locator('.approval').last().getAttribute('data-status')).toBe('rejected');
    expect(JSON.stringify(model.requests.at(-1)!.messages)).toContain('not today');
  });

  it('made no failed request and logged no error (the icon is inline: no /favicon.ico)', () => {
    expect(failed).toEqual([]);
  });
});
