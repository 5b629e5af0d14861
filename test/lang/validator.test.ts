/** One test per validator error path, each pinned with expectDiagnostic(src, {line, message}). */
import { describe, expect, it } from 'vitest';
import { compile } from '../../shared/lang/index.js';
import { HEADER, expectDiagnostic, pkg } from './expect-diagnostic.js';

const PROMPT = 'prompt "p" {\n  content "Hi"\n}'; // lines 2-4 after the header
const agent = (attrs: string, name = 'a') => `agent "${name}" {\n  uses prompt "p"\n  model "claude-haiku-4-5"\n${attrs}\n}`;
const skill = (tool: string, extra = '') => `skill "s" {\n  description "d"\n  input {\n    id string required\n  }\n${extra}  ${tool}\n}`;

describe('header', () => {
  it('requires the package header first', () => {
    expectDiagnostic(`${PROMPT}\n`, { line: 1, message: 'package' });
  });
  it('rejects lang "1.0" with the migrate command', () => {
    expectDiagnostic('package "x" version "1.0.0" lang "1.0"\n', { line: 1, message: 'agentspec migrate --to-v2' });
  });
  it('rejects an unknown lang and reads 2.0 and 3.0', () => {
    expectDiagnostic('package "x" version "1.0.0" lang "4.0"\n', { line: 1, message: 'lang "4.0"' });
    expect(compile('package "x" version "1.0.0" lang "3.0"\n', { file: 't.ias' }).ir?.package.lang).toBe('3.0');
    expect(compile('package "x" version "1.0.0" lang "2.0"\n', { file: 't.ias' }).ir?.ir_version).toBe('1');
  });
  it('rejects a malformed header', () => {
    expectDiagnostic('package "x" lang "2.0"\n', { line: 1, message: 'package header reads' });
  });
  it('rejects a non-semver version', () => {
    expectDiagnostic('package "x" version "one" lang "2.0"\n', { line: 1, message: 'semantic version' });
  });
  it('rejects a second package statement', () => {
    expectDiagnostic(pkg('package "y" version "1.0.0" lang "2.0"'), { line: 2, message: 'first statement' });
  });
  it('rejects .az files with a migration message', () => {
    expectDiagnostic(pkg(PROMPT), { line: 1, message: 'migrate' }, 'old.az');
  });
});

describe('structure', () => {
  it('rejects an unknown statement with a suggestion', () => {
    expectDiagnostic(pkg('agnet "a" {\n}'), { line: 2, message: 'did you mean "agent"' });
  });
  it('rejects a statement without a name', () => {
    expectDiagnostic(pkg('agent {\n}'), { line: 2, message: 'quoted name' });
  });
  it('rejects a statement without a block', () => {
    expectDiagnostic(pkg('agent "a"'), { line: 2, message: 'needs a block' });
  });
  it('rejects an unknown attribute with a suggestion', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  max_turn 3')}`), { line: 8, message: 'did you mean "max_turns"' });
  });
  it('rejects a repeated single attribute', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  model "claude-haiku-4-5"')}`), { line: 8, message: 'more than once' });
  });
  it('requires an agent model', () => {
    expectDiagnostic(pkg(`${PROMPT}\nagent "a" {\n  uses prompt "p"\n}`), { line: 5, message: '"model"' });
  });
  it('requires a prompt content', () => {
    expectDiagnostic(pkg('prompt "p" {\n}'), { line: 2, message: '"content"' });
  });
  it('requires a skill description and tool', () => {
    expectDiagnostic(pkg('skill "s" {\n  description "d"\n}'), { line: 2, message: '"tool"' });
  });
  it('checks string values', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  fallback 3')}`), { line: 8, message: 'quoted string' });
  });
  it('checks boolean values', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  stream "yes"')}`), { line: 8, message: 'true or false' });
  });
  it('checks numbers', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  token_budget "many"')}`), { line: 8, message: 'must be a number' });
  });
  it('checks whole numbers', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  max_turns 2.5')}`), { line: 8, message: 'whole number' });
  });
  it.each([
    ['max_turns 101', 'max_turns'],
    ['max_retries 11', 'max_retries'],
    ['temperature 1.5', 'temperature'],
  ])('checks the range of %s', (attr, name) => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent(`  ${attr}`)}`), { line: 8, message: name });
  });
  it('checks strategies and accepts the plan-execute alias', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  strategy "reactt"')}`), { line: 8, message: 'did you mean "react"' });
    expect(compile(pkg(`${PROMPT}\n${agent('  strategy "plan-execute"')}`), { file: 't.ias' }).ir).toBeDefined();
  });
  it('checks durations', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  timeout "10 seconds"')}`), { line: 8, message: 'duration' });
  });
  it('checks sizes', () => {
    expectDiagnostic(pkg(skill('tool inline {\n    language "python"\n    code "print(1)"\n    memory "lots"\n  }')), { line: 10, message: 'size' });
  });
  it('checks list values', () => {
    expectDiagnostic(pkg(skill('tool command {\n    binary "x"\n    args "-c"\n  }')), { line: 9, message: 'list of strings' });
  });
  it('checks http methods', () => {
    expectDiagnostic(pkg(skill('tool http {\n    method "FETCH"\n    url "http://x/{{id}}"\n  }')), { line: 8, message: 'GET' });
  });
  it('checks inline languages', () => {
    expectDiagnostic(pkg(skill('tool inline {\n    language "ruby"\n    code "x"\n  }')), { line: 8, message: 'python' });
  });
  it('checks transports', () => {
    expectDiagnostic(pkg('server "s" {\n  transport "carrier-pigeon"\n}'), { line: 3, message: 'stdio' });
  });
  it('requires a command for stdio servers and a url for http servers', () => {
    expectDiagnostic(pkg('server "s" {\n  transport "stdio"\n}'), { line: 2, message: 'needs a command' });
    expectDiagnostic(pkg('server "s" {\n  transport "sse"\n}'), { line: 2, message: 'needs a url' });
  });
  it('checks deploy targets', () => {
    expectDiagnostic(pkg('deploy "d" target "mainframe" {\n}'), { line: 2, message: 'target' });
  });
  it('rejects a malformed deploy header', () => {
    expectDiagnostic(pkg('deploy "d" {\n}'), { line: 2, message: 'deploy "<name>" target' });
  });
  it('rejects an unknown tool kind', () => {
    expectDiagnostic(pkg(skill('tool grpc {\n  }')), { line: 7, message: 'tool kind' });
  });
  it('rejects a malformed mcp tool', () => {
    expectDiagnostic(pkg(skill('tool mcp "no-slash"')), { line: 7, message: 'tool mcp "<server>/<tool>"' });
  });
  it('rejects malformed uses / delegate / connects', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  uses agent "b"')}`), { line: 8, message: 'uses prompt' });
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  delegate agent "b"')}`), { line: 8, message: 'delegate to agent' });
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  connects server "b"')}`), { line: 8, message: 'connects to client' });
  });
  it('rejects an unknown field type with a suggestion', () => {
    expectDiagnostic(pkg('type "t" {\n  n integr\n}'), { line: 3, message: 'unknown field type "integr"' });
  });
  it('rejects a bad variable type', () => {
    expectDiagnostic(pkg('prompt "p" {\n  content "{{x}}"\n  variables {\n    x int\n  }\n}'), { line: 5, message: 'variable type' });
  });
  it('rejects a malformed type statement', () => {
    expectDiagnostic(pkg('type "t" enum "a"'), { line: 2, message: 'enum' });
  });
  it('requires exactly one secret source', () => {
    expectDiagnostic(pkg('secret "s" {\n}'), { line: 2, message: 'env(NAME)' });
  });
  it('rejects duplicate names per kind on the second one', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${PROMPT}`), { line: 5, message: 'duplicate prompt "p"' });
  });
  it('rejects duplicate map keys and fields', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  metadata {\n    a "1"\n    a "2"\n  }')}`), { line: 10, message: 'more than once' });
    expectDiagnostic(pkg('type "t" {\n  a string\n  a int\n}'), { line: 4, message: 'more than once' });
  });
  it('rejects an environment overlay of an unknown attribute', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('')}\nenvironment "dev" {\n  agent "a" {\n    modle "x"\n  }\n}`), { line: 12, message: 'did you mean "model"' });
  });
  it('rejects an overlay value of the wrong type', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('')}\nenvironment "dev" {\n  agent "a" {\n    temperature "hot"\n  }\n}`), { line: 12, message: 'number' });
  });
  it('rejects an environment overlaying an unknown kind', () => {
    expectDiagnostic(pkg('environment "dev" {\n  widget "a" {\n  }\n}'), { line: 3, message: 'widget' });
  });
});

describe('syntax', () => {
  it('reports an unterminated string at its start', () => {
    expectDiagnostic(`${HEADER}prompt "p" {\n  content "Hi\n}\n`, { line: 3, message: 'unterminated string' });
  });
  it('reports a missing closing brace with a caret-style message', () => {
    const d = expectDiagnostic(`${HEADER}prompt "p" {\n  content "Hi"\n`, { line: 4, message: 'Expected "}", found <EOF>' });
    expect(d.hint).toContain('line 2');
  });
  it('reports an unknown escape', () => {
    expectDiagnostic(`${HEADER}prompt "p" {\n  content "a\\qb"\n}\n`, { line: 3, message: 'escape' });
  });
  it('reports an unexpected character', () => {
    expectDiagnostic(`${HEADER}prompt "p" {\n  content @ "x"\n}\n`, { line: 3, message: 'unexpected character' });
  });
  it('reports every error of a file, not only the first', () => {
    const src = pkg(`${PROMPT}\n${agent('  max_turns 0\n  strategy "nope"\n  temprature 2')}`);
    const errors = compile(src, { file: 't.ias' }).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((e) => e.line)).toEqual([8, 9, 10]);
  });
  it('recovers after a syntax error and keeps validating', () => {
    const src = pkg(`${PROMPT}\n${agent('  model "x" "y"\n  max_turns 0')}`);
    const lines = compile(src, { file: 't.ias' }).diagnostics.map((d) => d.line);
    expect(lines).toContain(8);
    expect(lines).toContain(9);
  });
});

describe('references', () => {
  it('resolves uses prompt with a suggestion', () => {
    expectDiagnostic(pkg(`${PROMPT}\nagent "a" {\n  uses prompt "q"\n  model "claude-haiku-4-5"\n}`), { line: 6, message: 'did you mean "p"' });
  });
  it('resolves uses skill', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  uses skill "search"')}`), { line: 8, message: 'unknown skill "search"' });
  });
  it('allows one prompt per agent', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  uses prompt "p"')}`), { line: 8, message: 'more than one prompt' });
  });
  it('requires a fallback when on_error is fallback, and resolves it', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  on_error "fallback"')}`), { line: 8, message: 'fallback' });
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  on_error "fallback"\n  fallback "b"')}`), { line: 9, message: 'unknown agent "b"' });
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  fallback "a"')}`), { line: 8, message: 'own fallback' });
  });
  it('resolves delegates', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  delegate to agent "billing" when "money"')}`), { line: 8, message: 'unknown agent "billing"' });
  });
  it('resolves agent clients and client servers', () => {
    expectDiagnostic(pkg(`${PROMPT}\n${agent('  connects to client "tools"')}`), { line: 8, message: 'unknown client' });
    expectDiagnostic(pkg('client "c" {\n  connects to server "fs"\n}'), { line: 3, message: 'unknown server "fs"' });
  });
  it('resolves the server of an mcp tool', () => {
    expectDiagnostic(pkg(skill('tool mcp "fs/read"')), { line: 7, message: 'unknown server "fs"' });
  });
  it('resolves secrets of servers, tools, deploys and policies', () => {
    expectDiagnostic(pkg('server "s" {\n  transport "sse"\n  url "http://x"\n  auth "tok"\n}'), { line: 5, message: 'unknown secret "tok"' });
    expectDiagnostic(pkg(skill('tool command {\n    binary "x"\n    secrets { T "tok" }\n  }')), { line: 9, message: 'unknown secret' });
    expectDiagnostic(pkg('deploy "d" target "docker" {\n  secrets {\n    K "key"\n  }\n}'), { line: 4, message: 'unknown secret "key"' });
    expectDiagnostic(pkg('policy "p" {\n  require secret "key"\n}'), { line: 3, message: 'unknown secret "key"' });
  });
  it('resolves {{secret.NAME}} in http templates and requires {{field}} to be an input field', () => {
    const http = (url: string) => skill(`tool http {\n    method "GET"\n    url "${url}"\n  }`);
    expectDiagnostic(pkg(http('http://x/{{secret.tok}}')), { line: 9, message: 'unknown secret "tok"' });
    expectDiagnostic(pkg(http('http://x/{{ide}}')), { line: 9, message: 'did you mean "id"' });
  });
  it('resolves type names in fields and lists', () => {
    expectDiagnostic(pkg('type "t" {\n  o "ordr"\n}\ntype "order" {\n  id string\n}'), { line: 3, message: 'did you mean "order"' });
    expectDiagnostic(pkg('type "l" list "nope"'), { line: 2, message: 'unknown type "nope"' });
  });
  it('resolves environment targets', () => {
    expectDiagnostic(pkg('environment "dev" {\n  agent "ghost" {\n    model "x"\n  }\n}'), { line: 3, message: 'unknown agent "ghost"' });
  });
  it('resolves pipeline agents and depends_on', () => {
    const pipe = (step: string) => `${PROMPT}\n${agent('')}\npipeline "pl" {\n${step}\n}`;
    expectDiagnostic(pkg(pipe('  step "x" {\n    agent "b"\n  }')), { line: 12, message: 'did you mean "a"' });
    expectDiagnostic(pkg(pipe('  step "x" {\n    agent "a"\n    depends_on ["y"]\n  }')), { line: 13, message: 'unknown step "y"' });
  });
  it('names a pipeline cycle', () => {
    const src = pkg(`${PROMPT}\n${agent('')}\npipeline "pl" {\n  step "x" { agent "a" depends_on ["y"] }\n  step "y" { agent "a" depends_on ["x"] }\n}`);
    expectDiagnostic(src, { line: 12, message: 'cycle: x → y → x' });
  });
  it('checks very long pipelines and type chains without overflowing the stack', () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => `  step "s${i}" { agent "a"${i > 0 ? ` depends_on ["s${i - 1}"]` : ''} }`).join('\n');
    const types = Array.from({ length: 5_000 }, (_, i) => `type "t${i}" {\n  next "t${(i + 1) % 5_000}" required\n}`).join('\n');
    const { diagnostics } = compile(pkg(`${PROMPT}\n${agent('')}\npipeline "long" {\n${steps}\n}\n${types}`), { file: 't.ias' });
    expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([
      expect.stringContaining('Types form a cycle through required fields: t0 → t1'),
    ]);
  });

  it('requires pipeline steps', () => {
    expectDiagnostic(pkg('pipeline "pl" {\n}'), { line: 2, message: 'no steps' });
  });
  it('rejects a second default deploy on its own line', () => {
    expectDiagnostic(pkg('deploy "a" target "process" { default true }\ndeploy "b" target "docker" {\n  default true\n}'), { line: 4, message: 'default' });
  });
  it('rejects type cycles through required fields but allows optional ones', () => {
    expectDiagnostic(pkg('type "a" {\n  b "b" required\n}\ntype "b" {\n  a "a" required\n}'), { line: 6, message: 'cycle' });
    expect(compile(pkg('type "a" {\n  b "b"\n}\ntype "b" {\n  a "a" required\n}'), { file: 't.ias' }).ir).toBeDefined();
  });
  it('rejects undeclared prompt variables and warns on unused ones', () => {
    const src = pkg('prompt "p" {\n  content "Hi {{name}} {{plan}}"\n  variables {\n    name string required\n    tone string default "warm"\n  }\n}');
    expectDiagnostic(src, { line: 3, message: '{{plan}}' });
    expectDiagnostic(src, { line: 6, message: 'never used', severity: 'warning' });
  });
  it('rejects unsupported model providers and accepts anthropic/', () => {
    expectDiagnostic(pkg(`${PROMPT}\nagent "a" {\n  model "mistral/large"\n}`), {
      line: 6,
      message: 'provider "mistral" is not supported by this runtime (supported: anthropic, openai, ollama)',
    });
    expect(compile(pkg(`${PROMPT}\nagent "a" {\n  model "anthropic/claude-haiku-4-5"\n}`), { file: 't.ias' }).ir).toBeDefined();
  });
});
