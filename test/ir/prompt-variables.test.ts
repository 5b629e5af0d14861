/** What an agent's prompt takes, as `/v1/agents` lists it and `agentspec run --var` accepts it. */
import { describe, expect, it } from 'vitest';
import { promptVariables } from '../../shared/ir/prompt-variables.js';
import { compile } from '../../shared/lang/index.js';

const SOURCE = `package "shop" version "1.0.0" lang "2.0"

prompt "support" {
  content "You help {{customer}} at {{shop}}{{vip}}."
  variables {
    customer string required
    shop string default "Leaf & Kettle"
    vip bool default false
  }
}

agent "desk" {
  uses prompt "support"
  model "claude-haiku-4-5"
}

prompt "notes" {
  content "Take notes on {{topic}}."
}

agent "scribe" {
  uses prompt "notes"
  model "claude-haiku-4-5"
}

agent "plain" {
  model "claude-haiku-4-5"
}
`;

describe('promptVariables', () => {
  const { ir } = compile(SOURCE, { file: 'shop.ias' });

  it('lists the declared variables with type, required and default', () => {
    expect(promptVariables(ir!, 'desk')).toEqual([
      { name: 'customer', type: 'string', required: true },
      { name: 'shop', type: 'string', required: false, default: 'Leaf & Kettle' },
      { name: 'vip', type: 'bool', required: false, default: false },
    ]);
  });

  it('lists the placeholders of a prompt without a variables block as optional text', () => {
    expect(promptVariables(ir!, 'scribe')).toEqual([{ name: 'topic', type: 'string', required: false }]);
  });

  it('is empty for an agent without a prompt and for an unknown agent', () => {
    expect(promptVariables(ir!, 'plain')).toEqual([]);
    expect(promptVariables(ir!, 'nobody')).toEqual([]);
  });
});
