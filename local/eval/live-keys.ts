/**
 * Before a live eval starts: every provider the selected agents call must
 * have its key in the environment, so a missing key is one clear error
 * rather than every case failing the same way. Names the variable, never a
 * value.
 */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { findResource, type IRDocument } from '../../shared/ir/types.js';
import { parseModel } from '../../shared/llm/model-string.js';
import { PROVIDER_ENV } from '../../shared/llm/provider-env.js';

export function checkLiveKeys(ir: IRDocument, agents: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const missing = new Map<string, string[]>();
  for (const name of new Set(agents)) {
    const attrs = findResource(ir, 'Agent', name)?.attributes;
    if (!attrs) continue;
    const fallbacks = (attrs as { models?: string[] }).models ?? [];
    const providers = new Set([attrs.provider, ...fallbacks.map((m) => parseModel(m, env).provider)]);
    for (const provider of providers) {
      const variable = (PROVIDER_ENV as Readonly<Record<string, { key?: string }>>)[provider]?.key;
      if (variable && !env[variable]?.trim()) missing.set(variable, [...(missing.get(variable) ?? []), name]);
    }
  }
  if (missing.size === 0) return;
  const list = [...missing].map(([variable, names]) => `${variable} (for ${names.join(', ')})`).join('; ');
  throw new AgentSpecError(
    ErrorCode.ConfigError,
    `--live needs the model keys in the environment; not set: ${list}. Without --live the cases run against the scripted model.`,
    {
      details: { env: [...missing.keys()] },
    },
  );
}
