/**
 * Builds the playground page: bundles app.ts (with the typed client it talks
 * to the API through) with esbuild in memory, for the browser, and inlines it
 * into index.html, so the page is one self-contained response with no build
 * step for the user. `agentspec-runtime/client` is the client's source in a
 * checkout and the built client (`dist/esm/client.mjs`) in an installed
 * package, where the sources are not shipped.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let cached: Promise<string> | undefined;

/** Where `agentspec-runtime/client` is, beside this file in a checkout or in the build. */
function clientEntry(): string {
  const candidates = [join(here, '..', '..', 'shared', 'client', 'index.ts'), join(here, '..', '..', 'client.mjs')];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`The playground cannot find the typed client (looked for ${candidates.join(', ')}).`);
  return found;
}

const clientPlugin: Plugin = {
  name: 'agentspec-client',
  setup(b) {
    b.onResolve({ filter: /^agentspec-runtime\/client$/ }, () => ({ path: clientEntry() }));
  },
};

/** The playground HTML with its script inlined (built once per process). */
export function playgroundHtml(): Promise<string> {
  cached ??= (async () => {
    const [html, bundle] = await Promise.all([
      readFile(join(here, 'index.html'), 'utf8'),
      build({
        entryPoints: [join(here, 'app.ts')],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        minify: true,
        target: 'es2022',
        logLevel: 'silent',
        plugins: [clientPlugin],
      }),
    ]);
    const script = bundle.outputFiles[0]!.text.replaceAll('</script', '<\\/script');
    return html.replace('/*APP*/', () => script);
  })();
  return cached;
}
