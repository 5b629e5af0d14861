/** The DOT, JSON and HTML renderings carry exactly the extracted graph, in valid syntax, with names escaped. */
import { describe, expect, it } from 'vitest';
import { extractGraph } from '../../local/graph/extract.js';
import { renderDot } from '../../local/graph/dot.js';
import { renderHtml } from '../../local/graph/html.js';
import { renderJson } from '../../local/graph/json.js';
import { type Graph } from '../../local/graph/graph.js';
import { PAGE_SCRIPT } from '../../local/graph/page-script.js';
import { EDGE_STYLE } from '../../local/graph/style.js';
import { agent, irOf, prompt } from '../helpers/ir-builder.js';
import { parseDot } from './dot-parser.js';
import { fullIr } from './full-ir.js';

/** A graph whose names hold what DOT and HTML must escape. */
function awkward(): Graph {
  return extractGraph(irOf(prompt('say "hi" \\ </script>', 'line one\nline two'), agent('a&b <i>', { prompt: 'say "hi" \\ </script>' })));
}

describe('renderDot', () => {
  it('is a DOT digraph declaring every node and drawing every edge, labelled by kind', () => {
    const graph = extractGraph(fullIr());
    const dot = parseDot(renderDot(graph));
    expect(dot.name).toBe('test');
    expect([...dot.nodes.keys()]).toEqual(graph.nodes.map((n) => n.id));
    expect(dot.edges.map((e) => [e.from, e.to])).toEqual(graph.edges.map((e) => [e.from, e.to]));
    graph.edges.forEach((e, i) =>
      expect(dot.edges[i]!.attributes.label).toBe(e.detail === undefined ? EDGE_STYLE[e.kind].label : `${EDGE_STYLE[e.kind].label} (${e.detail})`),
    );
    expect(dot.edges.find((e) => e.from === 'agent:triage' && e.to === 'agent:backup')?.attributes.style).toBe('dashed');
    expect(dot.nodes.get('agent:triage')).toMatchObject({ label: 'triage', shape: 'box' });
    expect(dot.nodes.get('step:flow/first')).toMatchObject({ label: 'flow / first' });
  });

  it('escapes quotes, backslashes and line breaks in names and tooltips', () => {
    const dot = parseDot(renderDot(awkward()));
    expect(dot.nodes.get('prompt:say "hi" \\ </script>')?.label).toBe('say "hi" \\ </script>');
    expect(dot.nodes.get('prompt:say "hi" \\ </script>')?.tooltip).toContain('line one\nline two');
    expect(dot.edges).toEqual([{ from: 'agent:a&b <i>', to: 'prompt:say "hi" \\ </script>', attributes: { label: 'uses prompt' } }]);
  });

  it('marks a node declared nowhere dashed', () => {
    const dot = parseDot(renderDot(extractGraph(irOf(agent('a', { skills: ['ghost'] })))));
    expect(dot.nodes.get('skill:ghost')?.style).toBe('dashed');
    expect(dot.nodes.get('skill:ghost')?.label).toBe('ghost');
  });

  it('rejects what is not DOT (the parser used above is strict)', () => {
    expect(() => parseDot('digraph "x" { "a" -> ; }')).toThrow();
    expect(() => parseDot('digraph "x" { "a [label=1]; }')).toThrow();
    expect(() => parseDot('digraph "x" { "a" [label]; }')).toThrow();
  });
});

describe('renderJson', () => {
  it('is the extracted graph as JSON', () => {
    const graph = extractGraph(fullIr());
    expect(JSON.parse(renderJson(graph))).toEqual(graph);
  });
});

describe('renderHtml', () => {
  it('embeds the graph as JSON that no name can break out of, and escapes the title', () => {
    const graph = awkward();
    const html = renderHtml(graph);
    const data = /<script type="application\/json" id="graph-data">([^]*?)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(data!).graph).toEqual(graph);
    expect(data).not.toContain('</script');
    expect(html).toContain('<title>test 0.1.0: dependency graph</title>');
    expect(html.match(/<script/g)).toHaveLength(2);
  });

  it('loads nothing from elsewhere: no src or href attribute, and a policy forbidding any request', () => {
    const html = renderHtml(extractGraph(fullIr()));
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
  });

  it('has a page script that parses as JavaScript', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
  });
});
