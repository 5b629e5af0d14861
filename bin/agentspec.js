#!/usr/bin/env node
// The `agentspec` command.
// - Installed from the package (npm pack, git): runs the built CLI, dist/esm/cli.mjs.
// - In a checkout (the TypeScript sources sit beside this file): runs the
//   sources through tsx's loader, so an edit is live with no build step and a
//   dist/ left from an older build is never run by mistake.
//   AGENTSPEC_CLI=built runs the build there too (`npm run build` first).
import { existsSync } from 'node:fs';

const sources = new URL('../local/cli/main.ts', import.meta.url);

if (process.env.AGENTSPEC_CLI !== 'built' && existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  const built = new URL('../dist/esm/cli.mjs', import.meta.url);
  if (!existsSync(built)) {
    process.stderr.write(`agentspec: the built CLI is missing (${built.pathname}); run \`npm run build\`.\n`);
    process.exit(1);
  }
  await import(built.href);
}
