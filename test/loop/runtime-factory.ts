/** Builds a Runtime over a scripted provider and test tools, the way most loop tests need it. */
import type { IRResource } from '../../shared/ir/types.js';
import { Runtime, type RuntimeOptions } from '../../shared/loop/runtime.js';
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
