/** Builds a Runtime over a scripted provider and test tools, the way most loop tests need it. */
import type { IRResource } from '../../shared/ir/types.js';
import { createAnthropicProvider } from '../../shared/llm/anthropic-provider.js';
import { Runtime, type RuntimeOptions } from '../../shared/loop/runtime.js';
import type { FakeAnthropic, RecordedRequest } from '../helpers/fake-anthropic/index.js';
import { irOf } from '../helpers/ir-builder.js';
import type { ScriptedProvider } from '../helpers/scripted-provider.js';
import { testTools, type TestToolRegistry } from '../helpers/test-tools.js';

export interface Harness {
  runtime: Runtime;
  provider: ScriptedProvider;
  tools: TestToolRegistry;
}

/** A runtime for `resources` whose every agent talks to `provider`. */
export function harness(provider: ScriptedProvider, resources: IRResource[], options: RuntimeOptions & { tools?: TestToolRegistry } = {}): Harness {
  const tools = options.tools ?? testTools();
  const runtime = Runtime.fromIR(irOf(...resources), { ...options, providerFor: () => provider, tools });
  return { runtime, provider, tools };
}

/** A runtime whose agents talk to the fake Anthropic server through the real provider (SDK retries off unless asked). */
export function fakeServerRuntime(
  fake: FakeAnthropic,
  resources: IRResource[],
  options: RuntimeOptions & { tools?: TestToolRegistry; sdkRetries?: number } = {},
): { runtime: Runtime; tools: TestToolRegistry } {
  const provider = createAnthropicProvider({ apiKey: 'test-key', baseURL: fake.url, maxRetries: options.sdkRetries ?? 0 });
  const tools = options.tools ?? testTools();
  return { runtime: Runtime.fromIR(irOf(...resources), { ...options, providerFor: () => provider, tools }), tools };
}

/** The text of every message a recorded request carried. */
export function sentText(request: RecordedRequest): string {
  const messages = request.body.messages as { content: string | { type: string; text?: string; content?: unknown }[] }[];
  return messages
    .flatMap((m) =>
      typeof m.content === 'string'
        ? [m.content]
        : m.content.map((b) => b.text ?? (typeof b.content === 'string' ? b.content : JSON.stringify(b.content ?? b))),
    )
    .join('\n');
}
