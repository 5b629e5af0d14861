/**
 * `npm run bench`: runs every `bench/*.bench.ts` in name order (or those whose
 * name contains an argument: `npm run bench -- lang`) and prints its figures.
 * An argument that names no section fails at once with the list of sections,
 * before any bench runs.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const sections = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const unknown = filters.filter((x) => !sections.some((name) => name.includes(x)));
if (unknown.length > 0) {
  console.error(`No bench section matches ${unknown.map((x) => `"${x}"`).join(', ')}; the sections are: ${sections.join(', ')}.`);
  process.exit(2);
}
const files = sections.filter((name) => filters.length === 0 || filters.some((x) => name.includes(x))).map((name) => `${name}.bench.ts`);

console.log(`AgentSpec Runtime benchmarks — node ${process.version}, ${new Date().toISOString()}`);
let failed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  try {
    await mod.default();
  } catch (error) {
    failed++;
    console.error(`\n${file} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
