/**
 * Keeps secret values out of text: every registered value (4 characters or
 * more — shorter ones would redact ordinary words) is replaced by
 * `[REDACTED:<name>]` wherever it appears.
 */

const MIN_SECRET_LENGTH = 4;

/** Replaces registered secret values in strings and nested values. */
export class Redactor {
  /** value -> secret name */
  private readonly values = new Map<string, string>();
  private pattern: RegExp | undefined;

  /** Registers a value to redact under a secret's name. Values under 4 characters are ignored. */
  register(name: string, value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.values.get(value) === name) return;
    this.values.set(value, name);
    this.pattern = undefined;
  }

  /** The text with every registered value replaced by `[REDACTED:<name>]`. */
  redact(text: string): string {
    if (this.values.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const pattern = this.compile();
    pattern.lastIndex = 0;
    return text.replace(pattern, (match) => `[REDACTED:${this.values.get(match) ?? 'secret'}]`);
  }

  /** A copy of `value` with every string inside (keys included) redacted. */
  redactDeep<T>(value: T): T {
    return this.deep(value, new WeakSet()) as T;
  }

  private deep(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.deep(item, seen));
    if (value instanceof Error) return { name: value.name, message: this.redact(value.message) };
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[this.redact(key)] = this.deep(item, seen);
    return out;
  }

  private compile(): RegExp {
    if (!this.pattern) {
      // longest first, so a secret that contains another is redacted whole
      const alternatives = [...this.values.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.pattern;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let processRedactor: Redactor | undefined;

/** The process-wide redactor, created on first use (importing this module has no side effect). */
export function defaultRedactor(): Redactor {
  processRedactor ??= new Redactor();
  return processRedactor;
}
