/** The loop strategies, by the name an agent's `strategy` attribute uses. */
import type { Strategy as StrategyName } from '../../ir/types.js';
import type { Strategy } from '../run-context.js';
import { mapReduce } from './map-reduce.js';
import { planAndExecute } from './plan-and-execute.js';
import { react } from './react.js';
import { reflexion } from './reflexion.js';
import { router } from './router.js';

export const STRATEGIES: Readonly<Record<StrategyName, Strategy>> = {
  react,
  'plan-and-execute': planAndExecute,
  reflexion,
  router,
  'map-reduce': mapReduce,
};

export { react, reactLoop } from './react.js';
export { planAndExecute, parsePlan } from './plan-and-execute.js';
export { reflexion, isApproved } from './reflexion.js';
export { router, routeToolFor } from './router.js';
export { mapReduce, partsOf } from './map-reduce.js';
