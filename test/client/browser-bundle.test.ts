/**
 * The typed client bundles for the browser: esbuild with `platform:
 * "browser"` cannot resolve Node built-ins, so a build that succeeds with
 * nothing external proves the client (and everything it imports) needs none.
 * The playground is bundled the same way, with the client inside.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { playgroundHtml } from '../../local/playground/build-playground.js';

describe('the client in a browser bundle', () => {
  it('bundles for the browser with no Node built-in', async () => {
    const result = await build({
      entryPoints: ['shared/client/index.ts'],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => path.startsWith('node:') || /^(fs|path|url|crypto|stream|http|os)$/.test(path))).toEqual([]);
    // only the client's own files and its SSE parser go in; no server code is dragged along
    expect(inputs.filter((path) => !path.startsWith('shared/client/') && !path.includes('node_modules/eventsource-parser/'))).toEqual([]);
    expect(result.outputFiles[0]!.text.length).toBeLessThan(20_000);
  });

  it('is inside the playground page, which needs no other script', async () => {
    const html = await playgroundHtml();
    expect(html).toContain('/v1/runs/');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});
