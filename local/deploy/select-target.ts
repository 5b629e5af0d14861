/** Picks the deploy block an operation is about: the named one, else the `default true` one. */
import { AgentSpecError, ErrorCode } from '../../shared/errors.js';
import { resourcesOf, type IRDeploy, type IRDocument } from '../../shared/ir/types.js';

/** The deploy block named `name`, or the default one; `config_error` listing the choices otherwise. */
export function selectDeploy(ir: IRDocument, name?: string): IRDeploy {
  const blocks = resourcesOf(ir, 'Deploy');
  const names = blocks.map((b) => b.name).join(', ') || 'none';
  if (name !== undefined) {
    const block = blocks.find((b) => b.name === name);
    if (!block) throw new AgentSpecError(ErrorCode.ConfigError, `No deploy block "${name}" in ${ir.package.name}; declared: ${names}.`);
    return block;
  }
  const defaults = blocks.filter((b) => b.attributes.default);
  if (defaults.length === 1 && defaults[0]) return defaults[0];
  if (defaults.length === 0 && blocks.length === 1 && blocks[0]) return blocks[0];
  if (blocks.length === 0) {
    throw new AgentSpecError(ErrorCode.ConfigError, `${ir.package.name} has no deploy block; add \`deploy "local" { target "process" default true }\`.`);
  }
  throw new AgentSpecError(ErrorCode.ConfigError, `Choose a deploy target with --target; declared: ${names} (mark one \`default true\`).`);
}
