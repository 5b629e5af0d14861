/**
 * The encoded forms a secret takes on its way out, for redaction tests: each
 * as a JavaScript and a Python expression of `v` (so tools in either language
 * can print it), with the text a redacted `leaked: <form>` line must become.
 *
 * SECRET has what each form escapes: a space (`+` in forms), `"` and `\`,
 * a tab (a control character), `ö` (non-ASCII: `%C3%B6`, `\u00f6`), `/`,
 * `+`, `&`, `=`. It stays valid in an HTTP header (tab and Latin-1 are), so
 * MCP `auth` can send it as a Bearer token.
 */

export const SECRET = 'p@ss wörd\t/"q\\1+2&=Z';

export interface Encoding {
  name: string;
  /** a JavaScript expression of `v` */
  js: string;
  /** a Python expression of `v` (modules base64, json, re, urllib.parse imported) */
  python: string;
  /** what the redactor leaves of the form (secret name `token`) */
  redacted: string;
}

const R = '[REDACTED:token]';

export const ENCODINGS: Encoding[] = [
  { name: 'as written', js: 'v', python: 'v', redacted: R },
  { name: 'URL-encoded (encodeURIComponent)', js: 'encodeURIComponent(v)', python: `urllib.parse.quote(v, safe="-_.!~*'()")`, redacted: R },
  {
    name: 'URL-encoded with lower-case hex',
    js: 'encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())',
    python: 're.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), urllib.parse.quote(v, safe=""))',
    redacted: R,
  },
  { name: 'form-encoded (+ for a space)', js: 'new URLSearchParams({ v }).toString().slice(2)', python: 'urllib.parse.quote_plus(v)', redacted: R },
  { name: 'a JSON string', js: 'JSON.stringify(v)', python: 'json.dumps(v, ensure_ascii=False)', redacted: `"${R}"` },
  {
    name: 'an ASCII-only JSON string (ensure_ascii)',
    js: String.raw`JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))`,
    python: 'json.dumps(v)',
    redacted: `"${R}"`,
  },
  {
    name: 'JSON inside a JSON string',
    js: 'JSON.stringify(JSON.stringify({ token: v }))',
    python: 'json.dumps(json.dumps({"token": v}, ensure_ascii=False, separators=(",", ":")), ensure_ascii=False)',
    redacted: String.raw`"{\"token\":\"${R}\"}"`,
  },
  {
    name: 'an HTTP Basic token (base64 of user:value)',
    js: `'Basic ' + Buffer.from('user:' + v).toString('base64')`,
    python: '"Basic " + base64.b64encode(("user:" + v).encode()).decode()',
    // `dXNlcj` is "user" and 4 bits of ":" — the character mixing ":" with the value is redacted
    redacted: `Basic dXNlcj${R}`,
  },
  { name: 'base64', js: `Buffer.from(v).toString('base64')`, python: 'base64.b64encode(v.encode()).decode()', redacted: R },
  { name: 'base64url', js: `Buffer.from(v).toString('base64url')`, python: 'base64.urlsafe_b64encode(v.encode()).decode().rstrip("=")', redacted: R },
];

/** The form of `value` under an encoding, computed here with its JavaScript expression. */
export function encode(encoding: Encoding, value: string): string {
  return (new Function('v', `return ${encoding.js};`) as (v: string) => string)(value);
}

/** What a leaking tool is asked: the encoding's name, whether to fail, and how many dots to print before and after the line. */
export interface LeakInput {
  encoding: string;
  fail: boolean;
  before?: number | undefined;
  after?: number | undefined;
}

/** The line a leaking tool prints for `value`. */
export function leakLine(input: LeakInput, value: string): string {
  const form = encode(
    ENCODINGS.find((e) => e.name === input.encoding)!,
    value,
  );
  return `${'.'.repeat(input.before ?? 0)}leaked: ${form}${'.'.repeat(input.after ?? 0)}`;
}

/** A JavaScript program printing the leak line of $TOKEN for the `LeakInput` on stdin, on stderr with exit 1 when it says `fail`. */
export const LEAK_JS = `let s = '';
process.stdin.on('data', (d) => (s += d)).on('end', () => {
  const { encoding, fail, before = 0, after = 0 } = JSON.parse(s);
  const forms = { ${ENCODINGS.map((e) => `${JSON.stringify(e.name)}: (v) => ${e.js}`).join(', ')} };
  const line = '.'.repeat(before) + 'leaked: ' + forms[encoding](process.env.TOKEN) + '.'.repeat(after) + '\\n';
  if (fail) { process.stderr.write(line); process.exit(1); }
  process.stdout.write(line);
});`;

/** The same program in Python. */
export const LEAK_PYTHON = `import base64, json, os, re, sys, urllib.parse
args = json.load(sys.stdin)
forms = { ${ENCODINGS.map((e) => `${JSON.stringify(e.name)}: lambda v: ${e.python}`).join(', ')} }
line = ("." * args.get("before", 0) + "leaked: " + forms[args["encoding"]](os.environ["TOKEN"]) + "." * args.get("after", 0) + "\\n").encode()
if args["fail"]:
    sys.stderr.buffer.write(line)
    sys.exit(1)
sys.stdout.buffer.write(line)`;

/**
 * The forms of SECRET that appear in `text`: every encoding above, each also
 * as it reads inside one or two levels of JSON (a response body, an SSE
 * event, a log line). Empty when nothing of the secret shows.
 */
export function leaksIn(text: string): string[] {
  const forms = new Set(ENCODINGS.map((e) => encode(e, SECRET)).flatMap((form) => [form, jsonEscaped(form), jsonEscaped(jsonEscaped(form))]));
  return [...forms].filter((form) => text.includes(form));
}

function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
