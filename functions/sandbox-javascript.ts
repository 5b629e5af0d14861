/**
 * `sandbox-javascript`: the package's JavaScript sandbox function on AWS
 * Lambda (nodejs22.x, an empty role, no environment). Each invoke runs one
 * inline call in a fresh `node` child process (functions/lib/sandbox/wire.ts
 * is the contract; docs/aws.md the trust model). It imports nothing of the runtime.
 */
import { runFresh } from './lib/sandbox/fresh-process.js';
import { parsePayload, type SandboxInvokeAnswer } from './lib/sandbox/wire.js';
import { NODE_ADDRESS_SLACK } from '../shared/sandbox/types.js';

const MiB = 1024 * 1024;

export const handler = async (event: unknown): Promise<SandboxInvokeAnswer> => {
  const payload = parsePayload(event, 'javascript');
  // as locally: the JS heap is capped at the tool's memory, the address space leaves node the room V8 reserves
  return runFresh(payload, {
    argv: [process.execPath, `--max-old-space-size=${Math.max(16, Math.floor(payload.memory_bytes / MiB))}`],
    codeFile: 'inline.cjs',
    addressSpaceBytes: payload.memory_bytes + NODE_ADDRESS_SLACK,
  });
};
