/**
 * Keeps secret values out of text: every registered value (4 characters or
 * more — shorter ones would redact ordinary words) is replaced by
 * `[REDACTED:<name>]` wherever it appears, as written or in the encoded forms
 * a value takes on its way out:
 *
 * - URL-encoded: any character but a letter or digit may be percent-encoded
 *   (its UTF-8 bytes, upper- or lower-case hex) and a space may be `+`, so
 *   `encodeURIComponent`, form encoding and mixtures all match.
 * - JSON-escaped: `\"`, `\\`, `\/`, `\n` and the other short escapes, or
 *   `\uXXXX` (either case, surrogate pairs beyond the BMP), at any nesting
 *   depth up to four (each level doubles the backslashes) — what
 *   `JSON.stringify`, Python's `json.dumps` or a log line of a log line
 *   writes.
 * - base64 and base64url (values of 6 bytes or more): a value is base64 in
 *   HTTP Basic auth (`base64("user:" + value)`), in JWTs or inside any
 *   encoded blob, where its characters depend on how many bytes precede it
 *   modulo 3. Registering the exact Basic token would need the user name and
 *   whoever builds the header (the http tool builds none: a template writes a
 *   value as is), so the three alignments of the value's base64 are matched
 *   instead, each cut to the characters made of the value's bits alone, and
 *   the redaction widens over the one character at each end that mixes the
 *   value's bits with its neighbours' (and over the padding): no bit of the
 *   value stays visible, while the `user:` half of a Basic token keeps its
 *   own characters. base64url differs in two characters, so one pattern
 *   serves both. Shorter values have too short a base64 core: it would match
 *   ordinary words and base64 data.
 *
 * All forms of all values are one regular expression, so a text is scanned
 * once; the as-written form of a value of letters and digits only is a plain
 * literal in it.
 */

const MIN_SECRET_LENGTH = 4;
const MIN_BASE64_BYTES = 6;
/** backslashes before an escape: JSON nested four deep needs 15 (`"`) or 16 (`\`) */
const MAX_BACKSLASHES = 16;

/** One matched form of a value, with how far the redaction widens around its match. */
interface Form {
  name: string;
  source: string;
  /** the match of longer forms is tried first, so a secret that contains another is redacted whole */
  weight: number;
  /** base64 forms: the character before the match carries bits of the value */
  lead: boolean;
  /** base64 forms: the character after the match carries bits of the value (and padding may follow) */
  trail: boolean;
}

interface Compiled {
  pattern: RegExp;
  forms: Form[];
}

/** Replaces registered secret values in strings and nested values. */
export class Redactor {
  /** value -> secret name */
  private readonly values = new Map<string, string>();
  private compiled: Compiled | undefined;

  /** Registers a value to redact under a secret's name. Values under 4 characters are ignored. */
  register(name: string, value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.values.get(value) === name) return;
    this.values.set(value, name);
    this.compiled = undefined;
  }

  /** The text with every registered value, in any of its encoded forms, replaced by `[REDACTED:<name>]`. */
  redact(text: string): string {
    if (this.values.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const { pattern, forms } = this.compile();
    pattern.lastIndex = 0;
    let match = pattern.exec(text);
    if (!match) return text;
    let out = '';
    let done = 0;
    for (; match; match = pattern.exec(text)) {
      const form = forms[match.findIndex((group, i) => i > 0 && group !== undefined) - 1]!;
      let start = match.index;
      let end = start + match[0].length;
      if (form.lead && start > done && BASE64.test(text[start - 1]!)) start -= 1;
      if (form.trail && end < text.length && BASE64.test(text[end]!)) {
        end += 1;
        for (let pad = 0; pad < 2 && text[end] === '='; pad++) end += 1;
      }
      out += `${text.slice(done, start)}[REDACTED:${form.name}]`;
      done = end;
      pattern.lastIndex = end;
    }
    return out + text.slice(done);
  }

  /** A copy of `value` with every string inside (keys included) redacted; a number that spells a secret becomes the redacted text. */
  redactDeep<T>(value: T): T {
    return this.deep(value, new Set(), new Map()) as T;
  }

  /**
   * `open` holds the objects being copied (a value among them is a cycle);
   * `copied` the finished copies, so an object referenced twice without a
   * cycle is copied once and both places get that copy.
   */
  private deep(value: unknown, open: Set<object>, copied: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      // a secret of digits printed by a tool comes back from JSON.parse as a number
      const text = String(value);
      const redacted = this.redact(text);
      return redacted === text ? value : redacted;
    }
    if (value === null || typeof value !== 'object') return value;
    if (open.has(value)) return '[Circular]';
    if (copied.has(value)) return copied.get(value);
    open.add(value);
    let out: unknown;
    if (Array.isArray(value)) out = value.map((item) => this.deep(item, open, copied));
    else if (value instanceof Error) out = { name: value.name, message: this.redact(value.message) };
    else {
      const fields: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) fields[this.redact(key)] = this.deep(item, open, copied);
      out = fields;
    }
    open.delete(value);
    copied.set(value, out);
    return out;
  }

  private compile(): Compiled {
    if (!this.compiled) {
      const forms = [...this.values].flatMap(([value, name]) => formsOf(name, value)).sort((a, b) => b.weight - a.weight);
      // one capture group per form tells which secret matched; the forms themselves only use (?:…)
      this.compiled = { forms, pattern: new RegExp(forms.map((f) => `(${f.source})`).join('|'), 'g') };
    }
    return this.compiled;
  }
}

function formsOf(name: string, value: string): Form[] {
  const forms: Form[] = [{ name, source: [...value].map(characterForms).join(''), weight: value.length, lead: false, trail: false }];
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < MIN_BASE64_BYTES) return forms;
  for (const shift of [0, 1, 2]) {
    const bits = 8 * shift;
    const endBits = 8 * (shift + bytes.length);
    const core = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .slice(Math.ceil(bits / 6), Math.floor(endBits / 6));
    const lead = bits % 6 !== 0;
    const trail = endBits % 6 !== 0;
    // base64url writes `-` and `_` for `+` and `/`: one pattern matches both alphabets
    forms.push({ name, source: core.replace(/\+/g, '[+-]').replace(/\//g, '[/_]'), weight: core.length, lead, trail });
  }
  return forms;
}

/** base64 and base64url characters */
const BASE64 = /[A-Za-z0-9+/_-]/;
const JSON_SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' };
const BACKSLASHES = `\\\\{1,${MAX_BACKSLASHES}}`;

/** The pattern of one character (code point) of a value: as written, percent-encoded or JSON-escaped. */
function characterForms(char: string): string {
  if (/^[A-Za-z0-9]$/.test(char)) return char;
  const forms = [escapeRegExp(char), [...Buffer.from(char, 'utf8')].map((byte) => `%${anyCaseHex(byte, 2)}`).join('')];
  if (char === ' ') forms.push('\\+');
  const short = JSON_SHORT_ESCAPES[char];
  if (short !== undefined) forms.push(BACKSLASHES + escapeRegExp(short));
  const units: string[] = [];
  for (let i = 0; i < char.length; i++) units.push(`${BACKSLASHES}u${anyCaseHex(char.charCodeAt(i), 4)}`);
  forms.push(units.join(''));
  return `(?:${forms.join('|')})`;
}

/** `n` as hex of `width` digits, each letter digit matching either case. */
function anyCaseHex(n: number, width: number): string {
  return n
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
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
