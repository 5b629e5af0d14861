/**
 * Language toolchain: parse + validate + lower of generated IntentLang 3.0
 * packages of 1k, 10k and 100k lines (every agent with config, validate,
 * eval and on input blocks), and of a 50-file import graph. Goal: 10k lines
 * ≤ 50 ms and linear growth (ms per 1k lines at 100k within 1.5× of the
 * figure at 1k).
 */
import { compile } from '../shared/lang/index.js';
import { compilePackage } from '../shared/lang/compile-package.js';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { generatePackage } from '../test/helpers/generated-package.js';
import { generateImportGraph, generatePackageV3 } from './lang-generate.js';
import { measure, ms, section, stats } from './harness.js';

const GRAPH_FILES = 50;

/** Milliseconds for one compile of `source`. */
function timeCompile(source: string): number {
  const t0 = performance.now();
  compile(source, { file: 'bench.ias' });
  return performance.now() - t0;
}

export default async function bench(): Promise<void> {
  const sources = [1_000, 10_000, 100_000].map((lines) => {
    const source = generatePackageV3(lines);
    const check = compile(source, { file: 'bench.ias' });
    if (!check.ir) throw new Error(`generated package is invalid: ${check.diagnostics[0]?.message ?? ''}`);
    return { source, k: source.split('\n').length / 1000 };
  });
  const [small, middle, large] = sources as [(typeof sources)[0], (typeof sources)[0], (typeof sources)[0]];
  // No forced GC between samples: a full gc() before each sample was tried and
  // makes the 1k case ~8× slower (it throws away what V8 learned), which would
  // flatter the ratio rather than measure it. The 1k case is warmed up for as
  // many lines as the 100k case (300 compiles): with only 20, the optimising
  // compiler had not finished with the syntax-tree views, ~20% above steady
  // state, which flattered the ratio.
  for (let i = 0; i < 300; i++) timeCompile(small.source);
  for (let i = 0; i < 3; i++) timeCompile(large.source);
  const mid = await measure(() => compile(middle.source, { file: 'bench.ias' }), { iterations: 30, warmup: 10 });
  const versus = compareWithV2(middle.source);
  // The growth ratio is measured in paired rounds: each round times the 1k
  // case (median of 60 compiles after 30 more warm-up compiles) and then one
  // 100k compile, and the figure is the median of the rounds' ratios. This
  // machine's speed drifts by up to 2× over seconds — and the memory-bound
  // 100k case drifts more than the cache-resident 1k case — so two sizes
  // measured one after the other, seconds apart, gave ratios from 0.9 to 2.1
  // for the same code; paired, both sides of each ratio see the same machine.
  // Pairing does not change either side's figure (1k and 100k per-1k medians
  // agreed within noise with the one-after-the-other method).
  const ROUNDS = 11;
  const smallPerK: number[] = [];
  const largePerK: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < 30; i++) timeCompile(small.source);
    const smallMedian = stats(Array.from({ length: 60 }, () => timeCompile(small.source))).median / small.k;
    const largeSample = timeCompile(large.source) / large.k;
    smallPerK.push(smallMedian);
    largePerK.push(largeSample);
    ratios.push(largeSample / smallMedian);
  }
  const perK = [stats(smallPerK).median, mid.median / middle.k, stats(largePerK).median];
  const rows: [string, string][] = sources.map(({ k }, i) => [`${Math.round(k * 1000)} lines: median`, `${ms(perK[i]! * k)} (${ms(perK[i]!)} per 1k lines)`]);
  const ratio = stats(ratios).median;
  // The goal is judged on CPU time: a compile is single-threaded and does no
  // I/O, so its CPU time is its wall time on an idle core, while the wall time
  // on a shared machine also counts the time other processes hold the core.
  const load = `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
  rows.push([
    '10k lines goal ≤ 50 ms (CPU time)',
    `${ms(versus.cpu)}: ${versus.cpu <= 50 ? 'met' : 'NOT met'} (wall ${ms(mid.median)}, ${(mid.median / versus.cpu).toFixed(2)}× the CPU time at ${load})`,
  ]);
  rows.push(['3.0 vs 2.0 input, per line', `${versus.ratio.toFixed(2)}× (2.0 package of the same size: ${ms(versus.v2)}, interleaved in this run)`]);
  rows.push([
    'ms/1k-lines ratio 100k vs 1k',
    `${ratio.toFixed(2)}× (median of ${ROUNDS} paired rounds, range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; goal ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'NOT met'})`,
  ]);
  section('lang: parse + validate + lower (3.0)', rows);
  await benchImportGraph();
}

/**
 * The 3.0 package against the 2.0 one of the same size (the unit without the
 * 3.0 blocks), compiled alternately so that both see the same machine: on a
 * loaded machine wall times inflate together and the ratio still holds. Also
 * the process CPU time of a 3.0 compile, which contention inflates less.
 */
function compareWithV2(v3: string): { ratio: number; v2: number; cpu: number } {
  const v2 = generatePackage(v3.split('\n').length);
  const perLine = (source: string) => timeCompile(source) / source.split('\n').length;
  for (let i = 0; i < 10; i++) {
    timeCompile(v3);
    timeCompile(v2);
  }
  const ratios: number[] = [];
  const v2Times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = process.cpuUsage();
    const a = perLine(v3);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
    const b = perLine(v2);
    ratios.push(a / b);
    v2Times.push(b * v2.split('\n').length);
  }
  return { ratio: stats(ratios).median, v2: stats(v2Times).median, cpu: stats(cpu).median };
}

/** compilePackage over an in-memory import graph: every file read, parsed, checked in its own scope and merged. */
async function benchImportGraph(): Promise<void> {
  const files = generateImportGraph(GRAPH_FILES);
  const host = {
    readFile(path: string): string {
      const text = files.get(path);
      if (text === undefined) throw new Error(`${path}: no such file`);
      return text;
    },
  };
  const once = await compilePackage('main.ias', host);
  if (!once.ir) throw new Error(`generated import graph is invalid: ${once.diagnostics[0]?.message ?? ''}`);
  const lines = [...files.values()].reduce((n, text) => n + text.split('\n').length, 0);
  const graph = await measure(() => compilePackage('main.ias', host), { iterations: 60, warmup: 20 });
  section(`lang: ${GRAPH_FILES}-file import graph (compilePackage, in-memory files)`, [
    ['files / lines / resources', `${once.files.size} / ${lines} / ${once.ir.resources.length}`],
    ['median', `${ms(graph.median)} (p99 ${ms(graph.p99)}; ${ms(graph.median / (lines / 1000))} per 1k lines)`],
  ]);
}
