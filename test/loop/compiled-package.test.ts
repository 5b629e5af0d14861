import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IRDocument } from '../../shared/ir/types.js';
import { compile } from '../../shared/lang/index.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic/index.js';
import { fakeServerRuntime, sentText } from './runtime-factory.js';

const SOURCE = `package "shop" version "1.0.0" lang "2.0"

prompt "support" {
  content "You help {{customer}} at {{shop}}."
  variables {
    customer string required
    shop string default "Leaf & Kettle"
  }
}

prompt "billing" {
  content "You handle refunds."
}

agent "billing-bot" {
  uses prompt "billing"
  model "claude-haiku-4-5"
}

agent "support-bot" {
  uses prompt "support"
  model "claude-sonnet-4-20250514"
  max_turns 5
  delegate to agent "billing-bot" when "the user asks for a refund"
}
`;

function compiled(): IRDocument {
  const { ir, diagnostics } = compile(SOURCE, { file: 'shop.ias' });
  if (!ir) throw new Error(`test package does not compile: ${JSON.stringify(diagnostics)}`);
  return ir;
}

describe('a compiled package end to end', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('runs an agent of compiled IntentLang: variables, delegation and the real wire format', async () => {
    // Prepare
    fake.script(
      { toolUses: [{ name: 'delegate_to_billing-bot', input: { message: 'Refund order A-1' } }] },
      { text: 'Refund of 12 EUR issued.' },
      { text: 'Billing issued your refund of 12 EUR.' },
    );
    const { runtime } = fakeServerRuntime(fake, compiled().resources);

    // Act
    const result = await runtime.invoke('support-bot', { message: 'Please refund A-1', variables: { customer: 'Ada' } });

    // Assess
    expect(result.output).toBe('Billing issued your refund of 12 EUR.');
    expect(JSON.stringify(fake.requests[0]!.body.system)).toContain('You help Ada at Leaf & Kettle.');
    expect(fake.requests[1]!.body.model).toBe('claude-haiku-4-5');
    expect(sentText(fake.requests[1]!)).toBe('Refund order A-1');
    expect(
      runtime
        .agents()
        .map((a) => a.name)
        .sort(),
    ).toEqual(['billing-bot', 'support-bot']);
  });
});
