/**
 * `agentspec init`: every template is a valid package that composes into a
 * runnable runtime, and the command copies one into a new directory without
 * ever overwriting a user's files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { composeRuntime } from '../../shared/compose/index.js';
import { listTemplates, templatesDir } from '../../local/templates/list-templates.js';

const run = promisify(execFile);
const cli = (args: string[], cwd: string) => run(process.execPath, [join(process.cwd(), 'bin/agentspec.js'), ...args], { cwd });

describe('init templates', () => {
  it('offers the five documented templates', async () => {
    const names = (await listTemplates()).map((t) => t.name);
    expect(names).toEqual(['code-review-pipeline', 'customer-support', 'data-extraction', 'rag-chatbot', 'research-assistant']);
  });

  it.each(['code-review-pipeline', 'customer-support', 'data-extraction', 'rag-chatbot', 'research-assistant'])(
    '%s validates without warnings and composes into a runtime with its agents',
    async (name) => {
      const file = join(templatesDir(), name, 'agents.ias');
      const { ir, diagnostics } = compile(await readFile(file, 'utf8'), { file });
      expect(diagnostics).toEqual([]);
      const runtime = await composeRuntime(ir!);
      try {
        expect(runtime.agents().length).toBeGreaterThan(0);
      } finally {
        await runtime.close();
      }
    },
  );
});

describe('agentspec init', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentspec-init-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a package from a template and refuses to overwrite a non-empty directory', async () => {
    const { stdout } = await cli(['init', '--template', 'rag-chatbot', 'bot'], dir);
    expect(stdout).toContain('agentspec dev bot/agents.ias');
    const created = await readFile(join(dir, 'bot', 'agents.ias'), 'utf8');
    expect(created).toBe(await readFile(join(templatesDir(), 'rag-chatbot', 'agents.ias'), 'utf8'));

    await mkdir(join(dir, 'mine'));
    await writeFile(join(dir, 'mine', 'agents.ias'), 'my own work');
    const refused = await cli(['init', '--template', 'customer-support', 'mine'], dir).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain('--force');
    expect(await readFile(join(dir, 'mine', 'agents.ias'), 'utf8')).toBe('my own work');
  });

  it('names the available templates when asked for an unknown one', async () => {
    const failed = await cli(['init', '--template', 'nope', 'x'], dir).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/Unknown template "nope".*customer-support/);
  });
});
