/** IntentLang 3.0's agent blocks: how they are read across lines, printed canonically, lowered, and where their errors point. */
import { describe, expect, it } from 'vitest';
import { compile, format } from '../../shared/lang/index.js';
import { findResource, onInputOf, validateIR } from '../../shared/ir/index.js';
import { expectDiagnostic } from './expect-diagnostic.js';

const HEADER = 'package "t" version "0.1.0" lang "3.0"\n';
const SKILL = `skill "lookup" {
  description "Look up"
  input {
    query string required
  }
  tool command {
    binary "echo"
  }
}
`;

function agent(body: string, extra = ''): string {
  return `${HEADER}${SKILL}${extra}agent "a" {\n  uses skill "lookup"\n  model "claude-sonnet-4-20250514"\n${body}\n}\n`;
}

function agentIR(src: string) {
  const { ir, diagnostics } = compile(src, { file: 't.ias' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(validateIR(ir).errors).toEqual([]);
  return findResource(ir!, 'Agent', 'a')!;
}

const ALL_BLOCKS = agent(`  config {
    company string default "Acme"
      "Company name"
    limit int default "500" "Max length"
    key string required secret
      "Key"
    ratio float
    strict bool default true
  }
  validate {
    rule not_empty error max_retries 2
      "Must answer"
      when output != "" and
        len(output) < 5000
    rule polite warning "Be polite" when not (output contains "stupid")
  }
  eval {
    case hello input "Hello" expect "hi" scoring contains
    case long
      input "Tell me more"
      expect "more"
      scoring semantic threshold 0.6
      tags ["edge", "long"]
  }
  on input {
    if input == "ping" {
      respond "pong"
    } else if contains(lower(input.message), "look") {
      use skill lookup with { query: input, }
    } else {
      for each word in split(input, " ") {
        use skill lookup with { query: word }
      }
    }
    respond config.company
  }`);

describe('IntentLang 3.0 agent blocks', () => {
  it('reads config parameters, rules, cases and statements written across lines and lowers them', () => {
    // Act
    const a = agentIR(ALL_BLOCKS).attributes;
    // Assess
    expect(a.config).toEqual([
      { name: 'company', type: 'string', required: false, secret: false, default: 'Acme', description: 'Company name' },
      { name: 'limit', type: 'int', required: false, secret: false, default: 500, description: 'Max length' },
      { name: 'key', type: 'string', required: true, secret: true, description: 'Key' },
      { name: 'ratio', type: 'float', required: false, secret: false },
      { name: 'strict', type: 'bool', required: false, secret: false, default: true },
    ]);
    expect(a.validate).toEqual([
      { name: 'not_empty', severity: 'error', message: 'Must answer', expression: 'output != "" and len(output) < 5000', max_retries: 2 },
      { name: 'polite', severity: 'warning', message: 'Be polite', expression: 'not (output contains "stupid")' },
    ]);
    expect(a.eval).toEqual([
      { name: 'hello', input: 'Hello', expect: 'hi', scoring: 'contains', threshold: 0.8, tags: [] },
      { name: 'long', input: 'Tell me more', expect: 'more', scoring: 'semantic', threshold: 0.6, tags: ['edge', 'long'] },
    ]);
  });

  it('lowers on input to statements with else-if branches, loops, with-params and both kinds of respond', () => {
    const a = agentIR(ALL_BLOCKS);
    expect(onInputOf(a)).toEqual([
      {
        kind: 'if',
        branches: [
          { condition: 'input == "ping"', body: [{ kind: 'respond', text: 'pong' }] },
          { condition: 'contains(lower(input.message), "look")', body: [{ kind: 'use_skill', skill: 'lookup', params: { query: 'input' } }] },
        ],
        else: [
          { kind: 'for_each', variable: 'word', collection: 'split(input, " ")', body: [{ kind: 'use_skill', skill: 'lookup', params: { query: 'word' } }] },
        ],
      },
      { kind: 'respond', expression: 'config.company' },
    ]);
  });

  it('prints canonically: descriptions, messages, when and case words on their own lines, else on the closing brace', () => {
    // Act
    const once = format(ALL_BLOCKS, 't.ias');
    // Assess
    expect(format(once, 't.ias')).toBe(once);
    expect(compile(once, { file: 't.ias' }).ir).toEqual(compile(ALL_BLOCKS, { file: 't.ias' }).ir);
    expect(agentIR(once).attributes).toEqual(agentIR(ALL_BLOCKS).attributes);
    expect(once).toContain('    limit int default "500"\n      "Max length"\n');
    expect(once).toContain('    rule polite warning\n      "Be polite"\n      when not (output contains "stupid")\n');
    expect(once).toContain('    case hello\n      input "Hello"\n      expect "hi"\n      scoring contains\n');
    expect(once).toContain('      scoring semantic threshold 0.6\n      tags ["edge", "long"]\n');
    expect(once).toContain('    } else if contains(lower(input.message), "look") {\n      use skill lookup with { query: input }\n    } else {\n');
  });

  it('reads a branch whose block opens on the next line, and prints it on the condition line', () => {
    const src = agent('  on input {\n    if input == "a"\n    {\n      respond "b"\n    }\n    else\n    {\n      respond "c"\n    }\n  }');
    expect(onInputOf(agentIR(src))).toEqual([
      { kind: 'if', branches: [{ condition: 'input == "a"', body: [{ kind: 'respond', text: 'b' }] }], else: [{ kind: 'respond', text: 'c' }] },
    ]);
    expect(format(src, 't.ias')).toContain('    if input == "a" {\n      respond "b"\n    } else {\n      respond "c"\n    }\n');
  });

  it('writes IR version 2 and lang 3.0 for a 3.0 package', () => {
    const { ir } = compile(ALL_BLOCKS, { file: 't.ias' });
    expect(ir?.ir_version).toBe('2');
    expect(ir?.package.lang).toBe('3.0');
  });

  it('reads a 3.0 construct in a 2.0 file with a warning, as the original reads it', () => {
    const src = agent('  eval {\n    case c input "x" expect "y" scoring exact\n  }').replace('lang "3.0"', 'lang "2.0"');
    expectDiagnostic(src, { line: 14, message: 'declare lang "3.0"', severity: 'warning' });
    expect(compile(src, { file: 't.ias' }).ir?.ir_version).toBe('2');
  });
});

describe('IntentLang 3.0 errors are located', () => {
  it.each([
    ['an unknown function in a rule, with did-you-mean', '  validate {\n    rule r error "m" when lenn(output) > 2\n  }', 15, 'did you mean "len"'],
    ['an unknown variable in a condition', '  on input {\n    if inptu == "x" {\n      respond "y"\n    }\n  }', 15, 'did you mean "input"'],
    [
      'a loop variable outside its loop',
      '  on input {\n    for each w in split(input, " ") {\n      respond w\n    }\n    respond w\n  }',
      18,
      'Unknown variable "w"',
    ],
    ['output in on input, where there is none yet', '  on input {\n    if output == "" {\n      respond "y"\n    }\n  }', 15, 'Unknown variable "output"'],
    ['a config type', '  config {\n    n integer default "1"\n  }', 15, 'Config type "integer" is not one of'],
    ['a default that is not of its type', '  config {\n    n int default "ten"\n  }', 15, 'not a valid int'],
    ['required and default together', '  config {\n    n int required default "1"\n  }', 15, 'one or the other'],
    ['a rule severity', '  validate {\n    rule r fatal "m" when output != ""\n  }', 15, 'not one of error, warning'],
    ['a scoring method', '  eval {\n    case c input "x" expect "y" scoring fuzzy\n  }', 15, 'Scoring method "fuzzy"'],
    ['a threshold above 1', '  eval {\n    case c input "x" expect "y" scoring exact threshold 7\n  }', 15, 'from 0 to 1'],
    ['a case without input', '  eval {\n    case c expect "y" scoring exact\n  }', 15, 'has no input'],
    ['else without if', '  on input {\n    else {\n      respond "x"\n    }\n  }', 15, '`else` must follow'],
    ['an unknown statement', '  on input {\n    reply "x"\n  }', 15, 'Unknown statement "reply"'],
    ['a skill the agent does not use', '  on input {\n    use skill other\n  }', 15, 'Unknown skill "other"'],
    ['delegation to itself', '  on input {\n    delegate to a\n  }', 15, 'cannot delegate to itself'],
    ['a budget period', '  budget weekly 5', 14, 'budget daily'],
    ['an unknown config parameter', '  config {\n    tone string\n  }\n  on input {\n    respond config.tones\n  }', 18, 'did you mean "tone"'],
    [
      'a secret config parameter sent as the answer',
      '  config {\n    key string required secret\n  }\n  on input {\n    respond config.key\n  }',
      18,
      'is secret',
    ],
    [
      'a secret config parameter sent to a tool',
      '  config {\n    key string required secret\n  }\n  on input {\n    use skill lookup with { query: config.key }\n  }',
      18,
      'is secret',
    ],
  ])('%s', (_name, body, line, message) => {
    expectDiagnostic(agent(body), { line, message });
  });

  it('warns on a rule without when, which could never fail', () => {
    expectDiagnostic(agent('  validate {\n    rule r error "m"\n  }'), { line: 15, message: 'can never fail', severity: 'warning' });
  });

  it('checks guardrails and users as the original does', () => {
    const guard = 'guardrail "g" {\n  mode "block"\n  keywords ["x"]\n}\n';
    expectDiagnostic(agent('  uses guardrail "g"', guard), { line: 11, message: 'needs the fallback answer' });
    expectDiagnostic(agent('  uses guardrail "h"', 'guardrail "g" {\n  mode "warn"\n  patterns ["(x"]\n}\n'), {
      line: 13,
      message: 'not a valid regular expression',
    });
    expectDiagnostic(agent('', 'user "u" {\n  key secret("K")\n  agents ["b"]\n  role "admin"\n}\n'), { line: 13, message: 'Unknown agent "b"' });
    expectDiagnostic(agent('', 'user "u" {\n  key secret("K")\n  role "owner"\n}\n'), { line: 13, message: 'not one of invoke, admin' });
  });

  it('reads a state block, warning that sessions are configured per deploy target', () => {
    expectDiagnostic(agent('', 'state "s" {\n  type "redis"\n  url "redis://x"\n}\n'), { line: 11, message: 'sessions', severity: 'warning' });
    expectDiagnostic(agent('', 'state "s" {\n  type redis\n}\n'), { line: 12, message: 'write `type "<value>"`' });
  });

  it('lowers guardrails, users, models, budgets and the prompt shorthand', () => {
    const extra =
      'prompt "sys" {\n  content "Hi"\n}\nguardrail "g" {\n  mode "block"\n  keywords ["ssn"]\n  patterns ["\\\\d{3}"]\n  fallback "No."\n}\nuser "u" {\n  key secret("ADMIN_KEY")\n  agents ["a"]\n  role "admin"\n}\n';
    const src = `${HEADER}${extra}agent "a" {\n  prompt "sys"\n  models ["claude-sonnet-4-20250514", "openai/gpt-4o-mini"]\n  budget daily 10\n  budget monthly 200.5\n  uses guardrail "g"\n  loop "plan-execute"\n}\n`;
    const { ir, diagnostics } = compile(src, { file: 't.ias' });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(validateIR(ir).errors).toEqual([]);
    const a = findResource(ir!, 'Agent', 'a')!.attributes;
    expect(a).toMatchObject({
      prompt: 'sys',
      model: 'claude-sonnet-4-20250514',
      models: ['claude-sonnet-4-20250514', 'openai/gpt-4o-mini'],
      budget: { daily: 10, monthly: 200.5 },
      guardrails: ['g'],
      strategy: 'plan-and-execute',
    });
    expect(findResource(ir!, 'Guardrail', 'g')!.attributes).toEqual({ mode: 'block', keywords: ['ssn'], patterns: ['\\d{3}'], fallback: 'No.' });
    expect(findResource(ir!, 'User', 'u')!.attributes).toEqual({ key: 'ADMIN_KEY', agents: ['a'], role: 'admin' });
  });
});
