/** `dev` hot reload of a multi-file package: editing an imported file reloads, the watched set follows the imports as they change, and an aliased agent is served under its qualified name. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/dev/local-server.js';
import type { ModelProvider } from '../../shared/llm/types.js';
import { SILENT_LOGGER } from '../../shared/telemetry/logger.js';

const answer: ModelProvider = {
  async *stream() {
    yield { type: 'text', text: 'hi' };
    yield { type: 'stop', reason: 'end_turn' };
  },
};

const file = (name: string, agents: string[], imports: string[] = []) =>
  `package "${name}" version "1.0.0" lang "3.0"\n${imports.map((i) => `${i}\n`).join('')}${agents.map((a) => `agent "${a}" {\n  model "claude-haiku-4-5"\n}\n`).join('')}`;

/** Output lines, and a promise for the next line that matches. */
function lines() {
  const waiting: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const seen: string[] = [];
  return {
    seen,
    push(line: string) {
      seen.push(line);
      for (const w of [...waiting])
        if (w.match(line)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(line);
        }
    },
    next: (match: (line: string) => boolean) => new Promise<string>((resolve) => waiting.push({ match, resolve })),
  };
}

describe('dev with imports', () => {
  let dir: string;
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reloads when an imported file changes, and watches files an edit starts to import', async () => {
    // Prepare: main.ias imports lib.ias under an alias.
    dir = await mkdtemp(join(tmpdir(), 'agentspec-dev-imports-'));
    const main = join(dir, 'main.ias');
    await writeFile(join(dir, 'lib.ias'), file('lib', ['helper']));
    await writeFile(main, file('main', ['alpha'], ['import "./lib.ias" as lib']));
    const out = lines();
    const errors: string[] = [];
    server = await startLocalServer({
      file: main,
      watch: true,
      port: 0,
      apiKeys: false,
      logger: SILENT_LOGGER,
      out: (l) => out.push(l),
      err: (l) => errors.push(l),
      compose: { providerFor: () => answer },
      retireAfterMs: 10,
    });
    const agents = () =>
      server!
        .current()
        .agents()
        .map((a) => a.name);
    expect(agents()).toEqual(['alpha', 'lib.helper']);
    expect(out.seen).toContain(`Watching ${main} and 1 imported file for changes.`);
    const invoked = await fetch(`${server.url}/v1/agents/lib.helper/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    expect(await invoked.json()).toMatchObject({ output: 'hi' });

    // An edit of the imported file reloads.
    let reloaded = out.next((l) => l.startsWith('Reloaded'));
    await writeFile(join(dir, 'lib.ias'), file('lib', ['helper', 'second']));
    await reloaded;
    expect(agents()).toEqual(['alpha', 'lib.helper', 'lib.second']);

    // An edit of the entry that imports a new file makes that file watched too.
    await writeFile(join(dir, 'extra.ias'), file('extra', ['first']));
    reloaded = out.next((l) => l.startsWith('Reloaded'));
    await writeFile(main, file('main', ['alpha'], ['import "./lib.ias" as lib', 'import "./extra.ias" as extra']));
    await reloaded;
    expect(agents()).toEqual(['alpha', 'lib.helper', 'lib.second', 'extra.first']);
    reloaded = out.next((l) => l.startsWith('Reloaded'));
    await writeFile(join(dir, 'extra.ias'), file('extra', ['first', 'more']));
    await reloaded;
    expect(agents()).toEqual(['alpha', 'lib.helper', 'lib.second', 'extra.first', 'extra.more']);
    expect(errors.filter((l) => l.includes('failed'))).toEqual([]);
  });
});
