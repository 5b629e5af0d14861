/**
 * Composition: `composeService(source, options)` is the one wiring every entry
 * point calls (IR, runtime, redactor, logger, telemetry, sessions);
 * `composeRuntime(ir, options)` wires provider, tools, sandbox, secrets and
 * sessions into the runtime it returns.
 */
export { composeRuntime, type ComposeOptions } from './compose-runtime.js';
export {
  composeService,
  createServiceContext,
  type Service,
  type ServiceContext,
  type ServiceContextOptions,
  type ServiceOptions,
  type ServiceSource,
} from './compose-service.js';
