/** The redactor on the encoded forms of a secret: URL-encoded, JSON-escaped, base64 at every alignment. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../shared/secrets/redactor.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { ENCODINGS, SECRET, encode, leaksIn } from '../helpers/secret-encodings.js';

function redactorOf(values: Record<string, string>): Redactor {
  const redactor = new Redactor();
  for (const [name, value] of Object.entries(values)) redactor.register(name, value);
  return redactor;
}

describe.each(ENCODINGS)('Redactor on a value $name', (encoding) => {
  const redactor = redactorOf({ token: SECRET });
  const form = encode(encoding, SECRET);

  it('replaces it in text, leaving the text around it', () => {
    expect(redactor.redact(`leaked: ${form} (end)`)).toBe(`leaked: ${encoding.redacted} (end)`);
  });

  it('replaces it in nested values and keys', () => {
    expect(redactor.redactDeep({ list: [form], [form]: { at: `x=${form}` } })).toEqual({
      list: [encoding.redacted],
      [encoding.redacted]: { at: `x=${encoding.redacted}` },
    });
  });

  it('replaces it in a log line, where JSON escapes it once more', () => {
    const lines: string[] = [];
    createLogger({ sink: (l) => lines.push(l), redact: (t) => redactor.redact(t) }).warn('tool said', { output: `leaked: ${form}` });

    expect(JSON.parse(lines[0]!).output).toBe(`leaked: ${encoding.redacted}`);
    expect(leaksIn(lines[0]!)).toEqual([]);
  });
});

describe('Redactor on base64', () => {
  const bytes = Buffer.from(SECRET);
  const redactor = redactorOf({ token: SECRET });

  // base64 of `prefix + value + suffix`: the value's characters depend on the prefix length modulo 3
  const cases = ['', 'a', 'ab', 'abc', 'abcd', 'user:'].flatMap((prefix) =>
    ['', 'x', 'xy', 'xyz'].flatMap((suffix) => (['base64', 'base64url'] as const).map((alphabet) => ({ prefix, suffix, alphabet }))),
  );

  it.each(cases)(
    'hides every character carrying bits of the value, and only those: $alphabet of "$prefix" + value + "$suffix"',
    ({ prefix, suffix, alphabet }) => {
      const encoded = Buffer.concat([Buffer.from(prefix), bytes, Buffer.from(suffix)]).toString(alphabet);
      const [before, after, ...more] = redactor.redact(`<${encoded}>`).slice(1, -1).split('[REDACTED:token]');

      expect(more).toEqual([]);
      // the characters made of the prefix's bits alone stay, and those after the value's last bit (with the padding)
      expect(before).toBe(encoded.slice(0, Math.floor((8 * prefix.length) / 6)));
      expect(after).toBe(suffix === '' ? '' : encoded.slice(Math.ceil((8 * (prefix.length + bytes.length)) / 6)));
    },
  );

  it('finds the value inside a longer base64 blob', () => {
    const blob = Buffer.from(`user=ada; password=${SECRET}; scopes=read`).toString('base64');

    const redacted = redactor.redact(blob);

    const [before, after] = redacted.split('[REDACTED:token]');
    // 19 bytes before the value: 25 characters of their bits alone, which decode to the first 18
    expect(Buffer.from(before!, 'base64').toString()).toBe('user=ada; password');
    expect(after).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });
});

describe('Redactor rules', () => {
  it('ignores values under 4 characters and leaves base64 of values under 6 bytes alone (their few characters would match ordinary words)', () => {
    const redactor = redactorOf({ tiny: 'a b', short: 'k"y 5' });

    expect(redactor.redact('a b a%20b')).toBe('a b a%20b');
    expect(redactor.redact(`k"y 5 k%22y+5 k\\"y 5`)).toBe('[REDACTED:short] [REDACTED:short] [REDACTED:short]');
    const base64 = Buffer.from('k"y 5').toString('base64');
    expect(redactor.redact(base64)).toBe(base64);
  });

  it('reads JSON escaped up to four times', () => {
    const redactor = redactorOf({ token: SECRET });
    let text = SECRET;
    for (let depth = 1; depth <= 4; depth++) {
      text = JSON.stringify(text).slice(1, -1);
      expect(redactor.redact(`<${text}>`)).toBe('<[REDACTED:token]>');
    }
  });

  it('does not redact a percent-encoding or escape of anything but the value', () => {
    const redactor = redactorOf({ token: SECRET });
    const almost = encodeURIComponent(SECRET.replace('Z', 'Y'));

    expect(redactor.redact(almost)).toBe(almost);
  });

  it('redacts a number that spells a secret (what JSON.parse makes of a digits-only value)', () => {
    const redactor = redactorOf({ pin: '12345678' });

    expect(redactor.redactDeep(JSON.parse('{"pin": 12345678, "other": 1234567}'))).toEqual({ pin: '[REDACTED:pin]', other: 1234567 });
  });

  it('copies an object referenced twice in both places, and marks only a real cycle', () => {
    const redactor = redactorOf({ pin: '12345678' });
    const shared = { code: 'pin 12345678' };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    expect(redactor.redactDeep({ first: shared, again: [shared], cyclic })).toEqual({
      first: { code: 'pin [REDACTED:pin]' },
      again: [{ code: 'pin [REDACTED:pin]' }],
      cyclic: { name: 'loop', self: '[Circular]' },
    });
  });

  it('redacts the longer of two values that contain each other whole, in every form', () => {
    const redactor = redactorOf({ inner: 'inner "part"', outer: 'the inner "part" and more' });

    expect(redactor.redact(encodeURIComponent('the inner "part" and more'))).toBe('[REDACTED:outer]');
    expect(redactor.redact(JSON.stringify('inner "part"'))).toBe('"[REDACTED:inner]"');
  });
});
