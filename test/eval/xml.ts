/**
 * A strict, small XML well-formedness parser for the JUnit report tests: one
 * root, matched nesting, quoted unique attributes, only the predefined and
 * numeric entities. Throws on anything else; returns the element tree.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;

export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`XML error at ${at}: ${why}`);
  };
  const decode = (raw: string) => {
    if (/[<]/.test(raw)) fail('raw < in text or attribute');
    return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) fail(`bare & in "${raw.slice(0, 40)}"`);
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (ref in named) return named[ref]!;
      const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(ref);
      if (!num) fail(`unknown entity &${ref};`);
      return String.fromCodePoint(num![1]!.startsWith('x') ? parseInt(num![1]!.slice(1), 16) : Number(num![1]));
    });
  };
  const skipSpace = () => {
    while (/\s/.test(source[at] ?? '')) at++;
  };
  if (source.startsWith('<?xml')) {
    at = source.indexOf('?>') + 2;
    if (at < 2) fail('unterminated declaration');
  }
  const element = (): XmlElement => {
    if (source[at] !== '<') fail('expected <');
    at++;
    const name = NAME.exec(source.slice(at))?.[0] ?? fail('bad element name');
    at += name.length;
    const node: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', at)) {
        at += 2;
        return node;
      }
      if (source[at] === '>') {
        at++;
        break;
      }
      const attr = NAME.exec(source.slice(at))?.[0] ?? fail('bad attribute name');
      at += attr.length;
      if (source[at] !== '=' || source[at + 1] !== '"') fail(`attribute ${attr} needs ="…"`);
      const end = source.indexOf('"', at + 2);
      if (end < 0) fail('unterminated attribute');
      if (attr in node.attrs) fail(`duplicate attribute ${attr}`);
      node.attrs[attr] = decode(source.slice(at + 2, end));
      at = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) fail(`unclosed <${name}>`);
      node.text += decode(source.slice(at, next));
      at = next;
      if (source.startsWith(`</${name}>`, at)) {
        at += name.length + 3;
        return node;
      }
      if (source[at + 1] === '/') fail(`mismatched close tag for <${name}>`);
      node.children.push(element());
    }
  };
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
}
