/**
 * A small parser of the DOT language (the subset of the grammar without
 * subgraphs and ports), strict enough to reject what Graphviz would: unknown
 * tokens, unterminated strings, attribute lists without `=`, statements out
 * of place. Returns the nodes declared and the edges drawn.
 */
type Token = { type: 'id' | 'string' | 'punct'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated string');
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          const e = text[i + 1]!;
          value += e === '"' ? '"' : e === '\\' ? '\\' : e === 'n' ? '\n' : `\\${e}`;
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else if (d === '\n') throw new Error('raw line break in a string');
        else {
          value += d;
          i++;
        }
      }
      tokens.push({ type: 'string', value });
    } else if (text.startsWith('->', i)) {
      tokens.push({ type: 'punct', value: '->' });
      i += 2;
    } else if ('{}[];=,'.includes(c)) {
      tokens.push({ type: 'punct', value: c });
      i++;
    } else {
      const m = /^(?:[A-Za-z_][A-Za-z_0-9]*|-?(?:\.\d+|\d+(?:\.\d*)?))/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected character ${JSON.stringify(c)} at ${i}`);
      tokens.push({ type: 'id', value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

export interface ParsedDot {
  name: string;
  nodes: Map<string, Record<string, string>>;
  edges: { from: string; to: string; attributes: Record<string, string> }[];
}

export function parseDot(text: string): ParsedDot {
  const t = tokenize(text);
  let p = 0;
  const peek = () => t[p];
  const take = (value?: string): Token => {
    const token = t[p++];
    if (!token) throw new Error('unexpected end');
    if (value !== undefined && token.value !== value) throw new Error(`expected ${value}, got ${token.value}`);
    return token;
  };
  const id = (): string => {
    const token = take();
    if (token.type === 'punct') throw new Error(`expected an id, got ${token.value}`);
    return token.value;
  };
  const attrList = (): Record<string, string> => {
    const out: Record<string, string> = {};
    take('[');
    while (peek()?.value !== ']') {
      const key = id();
      take('=');
      out[key] = id();
      if (peek()?.value === ',' || peek()?.value === ';') p++;
    }
    take(']');
    return out;
  };
  if (take().value !== 'digraph') throw new Error('not a digraph');
  const result: ParsedDot = { name: peek()?.value === '{' ? '' : id(), nodes: new Map(), edges: [] };
  take('{');
  while (peek()?.value !== '}') {
    const first = take();
    if (first.type === 'id' && ['graph', 'node', 'edge'].includes(first.value) && peek()?.value === '[') attrList();
    else if (first.type === 'punct') throw new Error(`unexpected ${first.value}`);
    else if (peek()?.value === '=') {
      p++;
      id();
    } else if (peek()?.value === '->') {
      const chain = [first.value];
      while (peek()?.value === '->') {
        p++;
        chain.push(id());
      }
      const attributes = peek()?.value === '[' ? attrList() : {};
      for (let i = 1; i < chain.length; i++) result.edges.push({ from: chain[i - 1]!, to: chain[i]!, attributes });
    } else result.nodes.set(first.value, peek()?.value === '[' ? attrList() : {});
    if (peek()?.value === ';') p++;
  }
  take('}');
  if (p !== t.length) throw new Error('text after the graph');
  return result;
}
