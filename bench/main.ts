/**
 * `npm run bench`: runs every `bench/*.bench.ts` in name order (or those whose
 * name contains an argument: `npm run bench -- lang`) and prints its figures.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

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
