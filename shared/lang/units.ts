/** Durations ("500ms", "10s", "2m", "1h") and sizes ("128Mi", "1G") as the language writes them. */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|B)?$/;
const SIZE_BYTES: Record<string, number> = {
  B: 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  return m ? Math.round(Number(m[1]) * DURATION_MS[m[2]!]!) : undefined;
}

/** Bytes of a size string, or undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  return m ? Math.round(Number(m[1]) * SIZE_BYTES[m[2] ?? 'B']!) : undefined;
}

/** A duration in milliseconds written with the largest unit that divides it ("1m", "168h"). */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    const size = DURATION_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
