/**
 * Builds the playground page: bundles app.ts (and eventsource-parser) with
 * esbuild in memory and inlines it into index.html, so the page is one
 * self-contained response with no build step for the user.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let cached: Promise<string> | undefined;

/** The playground HTML with its script inlined (built once per process). */
export function playgroundHtml(): Promise<string> {
  cached ??= (async () => {
    const [html, bundle] = await Promise.all([
      readFile(join(here, 'index.html'), 'utf8'),
      build({ entryPoints: [join(here, 'app.ts')], bundle: true, write: false, format: 'esm', minify: true, target: 'es2022', logLevel: 'silent' }),
    ]);
    const script = bundle.outputFiles[0]!.text.replaceAll('</script', '<\\/script');
    return html.replace('/*APP*/', () => script);
  })();
  return cached;
}
