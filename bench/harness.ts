/**
 * A small benchmark harness: repeat a measured function, report medians and
 * percentiles, and print ratios measured side by side in the same run (the
 * machines are shared and noisy, so absolute numbers are only indicative).
 */
import { performance } from 'node:perf_hooks';

export interface Stats {
  samples: number;
  median: number;
  p99: number;
  min: number;
  mean: number;
}

/** Statistics over samples (milliseconds or any unit). */
export function stats(samples: number[]): Stats {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    samples: sorted.length,
    median,
    p99: at(0.99),
    min: sorted[0]!,
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
  };
}

/** Runs `fn` `warmup` times unmeasured, then `iterations` times measured; returns per-call milliseconds. */
export async function measure(fn: () => unknown, options: { iterations?: number; warmup?: number } = {}): Promise<Stats> {
  const { iterations = 200, warmup = 20 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

/** Formats milliseconds with sensible precision. */
export function ms(value: number): string {
  return value < 1 ? `${value.toFixed(3)} ms` : value < 100 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
}

/** A difference in ms with its sign: `+1.20 ms`, `−3.40 ms`. */
export function signedMs(value: number): string {
  return `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
}

/** Prints a titled section of `label: value` rows. */
export function section(title: string, rows: [string, string][]): void {
  console.log(`\n## ${title}`);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

/** One bench module: `bench/<name>.bench.ts` exports a default function that prints its sections. */
export type Bench = () => Promise<void>;
