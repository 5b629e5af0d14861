/** Runtime composition: `composeRuntime(ir, options)` wires provider, tools, sandbox, secrets and sessions into a runtime. */
export { composeRuntime, type ComposeOptions } from './compose-runtime.js';
