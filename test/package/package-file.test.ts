/**
 * Which file a command reads when given a package directory: the one `.ias`
 * file, or the one top-level file that no other imports.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentSpecError } from '../../shared/errors.js';
import { packageFile } from '../../local/package/package-file.js';
import { loadPackage } from '../../local/package/load-package.js';

const tmp = mkdtempSync(join(tmpdir(), 'agentspec-package-file-'));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const skills = `package "kb" version "0.1.0" lang "3.0"

skill "lookup" {
  description "Looks a word up"
  input { word string required }
  output { meaning string }
  tool command { binary "true" }
}
`;
const entry = (imports: string) => `package "shop" version "0.1.0" lang "3.0"

${imports}

prompt "help" {
  content "You help."
}

agent "helper" {
  model "claude-haiku-4-5"
  uses prompt "help"
  uses skill "kb.lookup"
}
`;

describe('packageFile', () => {
  it('returns a path that is not a directory as given', async () => {
    expect(await packageFile('examples/support/agents.ias')).toBe('examples/support/agents.ias');
  });

  it('takes the one .ias file of a directory', async () => {
    const dir = folder('one', { 'agents.ias': entry(''), 'notes.txt': '' });
    expect(await packageFile(dir)).toBe(join(dir, 'agents.ias'));
  });

  it('takes the file no other imports in a package split into several, and that file compiles with its imports', async () => {
    const dir = folder('split', { 'shop.ias': entry('import "./lib/kb.ias" as kb'), 'lib/kb.ias': skills, 'zz.ias': skills });
    // lib/ is not at the top: only shop.ias and zz.ias are candidates, and zz.ias is imported by nobody either
    await expect(packageFile(dir)).rejects.toSatisfy(
      (e) => isAgentSpecError(e) && e.code === 'input_error' && e.message.includes('several .ias files that no other imports (shop.ias, zz.ias)'),
    );
    const flat = folder('flat', { 'shop.ias': entry('import "./kb.ias" as kb'), 'kb.ias': skills });
    const file = await packageFile(flat);
    expect(file).toBe(join(flat, 'shop.ias'));
    const { ir } = await loadPackage(file);
    expect(ir.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['helper', 'kb.lookup']));
  });

  it('refuses a directory with no .ias file, or whose files all import one another, naming them', async () => {
    await expect(packageFile(folder('empty', {}))).rejects.toSatisfy((e) => isAgentSpecError(e) && e.message.includes('holds no .ias file'));
    const cycle = folder('cycle', { 'a.ias': entry('import "./b.ias" as b'), 'b.ias': entry('import "./a.ias" as a') });
    await expect(packageFile(cycle)).rejects.toSatisfy(
      (e) => isAgentSpecError(e) && e.code === 'input_error' && e.message.includes('every .ias file in it is imported by another (a.ias, b.ias)'),
    );
  });
});
