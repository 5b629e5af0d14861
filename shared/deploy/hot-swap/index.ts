/** The hot-swap deploy of the Lambda target: the swap itself (`HotSwap`) and its HTTP API (`createHotSwapApp`). */
export { HotSwap, type DeployedVersion, type HotSwapOptions } from './hot-swap.js';
export { createHotSwapApp, type DeployInput, type HotSwapAppOptions } from './app.js';
