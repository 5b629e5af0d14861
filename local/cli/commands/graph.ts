/**
 * `agentspec graph <file|dir> [--format html|dot|json] [--output FILE] [--env NAME]`:
 * the package's resources and their references. HTML (the default) is written
 * to `<package>.graph.html` beside the input unless `--output` says where;
 * DOT and JSON go to stdout unless `--output` is given. `--output -` is stdout.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import { renderDiagnostic } from '../../../shared/lang/index.js';
import { extractGraph } from '../../graph/extract.js';
import { renderDot } from '../../graph/dot.js';
import { renderHtml } from '../../graph/html.js';
import { renderJson } from '../../graph/json.js';
import { type Graph } from '../../graph/graph.js';
import { loadPackage } from '../../package/load-package.js';
import { packageFile } from '../../package/package-file.js';

const RENDER: Record<'html' | 'dot' | 'json', (graph: Graph) => string> = { html: renderHtml, dot: renderDot, json: renderJson };

export function register(program: Command): void {
  program
    .command('graph')
    .description('the dependency graph of a package: an interactive HTML page, DOT or JSON')
    .argument('<path>', 'the .ias file (or exported IR .json), or the package directory')
    .addOption(new Option('--format <format>', 'html (a self-contained page), dot (Graphviz) or json').choices(['html', 'dot', 'json']).default('html'))
    .option('-o, --output <file>', 'where to write (html default: <package>.graph.html beside the input; dot and json default: stdout; - is stdout)')
    .option('--env <name>', 'apply an environment overlay first')
    .action(async (path: string, options: { format: 'html' | 'dot' | 'json'; output?: string; env?: string }) => {
      const file = await packageFile(path);
      const { ir, diagnostics } = await loadPackage(file, options.env === undefined ? {} : { env: options.env });
      for (const d of diagnostics) process.stderr.write(`${renderDiagnostic(d)}\n`);
      const graph = extractGraph(ir);
      const text = RENDER[options.format](graph);
      const output = options.output ?? (options.format === 'html' ? join(dirname(file), `${ir.package.name}.graph.html`) : '-');
      if (output === '-') {
        process.stdout.write(text);
        return;
      }
      await writeFile(output, text).catch((error: NodeJS.ErrnoException) => {
        throw new AgentSpecError(ErrorCode.InputError, `${output}: cannot be written (${error.code ?? error.message}).`, { cause: error });
      });
      process.stdout.write(`${output}: ${graph.nodes.length} nodes, ${graph.edges.length} edges.\n`);
    });
}
