/**
 * The closed sets of values the IR allows: the one list of each, from which
 * the IR's TypeScript types, its JSON Schema and the language's validation
 * are all derived.
 */
export const STRATEGIES = ['react', 'plan-and-execute', 'reflexion', 'router', 'map-reduce'] as const;
export const TARGETS = ['process', 'docker', 'docker-compose', 'kubernetes', 'lambda'] as const;
export const TRANSPORTS = ['stdio', 'sse', 'streamable-http'] as const;
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const LANGUAGES = ['python', 'javascript', 'bash'] as const;
export const VARIABLE_TYPES = ['string', 'number', 'bool'] as const;
export const ON_ERROR = ['retry', 'fail', 'fallback'] as const;
export const MEMORY_STRATEGIES = ['sliding_window', 'summary'] as const;
export const POLICY_ACTIONS = ['deny', 'require', 'allow'] as const;
/** what a guardrail does when a keyword or pattern matches: answer with its fallback instead (`block`) or report it (`warn`) */
export const GUARDRAIL_MODES = ['warn', 'block'] as const;
/** a skill's `approval`: `never` (the default) lowers to no attribute */
export const APPROVAL_MODES = ['required', 'never'] as const;
/** what a declared user may do: invoke the agents listed (`invoke`) or everything (`admin`) */
export const USER_ROLES = ['invoke', 'admin'] as const;
export const CONFIG_TYPES = ['string', 'int', 'float', 'bool'] as const;
export const RULE_SEVERITIES = ['error', 'warning'] as const;
/** how an eval case scores an answer against its `expect` */
export const SCORING_METHODS = ['exact', 'contains', 'semantic', 'custom', 'regex'] as const;
/**
 * how a deployed runtime authenticates callers: the API keys checked by the app (every target), SigV4 at the
 * Function URL (`iam`, lambda only) or nobody (`none`, the explicit opt-out of the process and container targets)
 */
export const DEPLOY_AUTH = ['api-key', 'iam', 'none'] as const;

/** how a container target reaches the network: the engine's bridge with a published port, or the host's stack */
export const CONTAINER_NETWORKS = ['bridge', 'host'] as const;

export type Strategy = (typeof STRATEGIES)[number];
export type DeployTarget = (typeof TARGETS)[number];
export type Transport = (typeof TRANSPORTS)[number];
export type HttpMethod = (typeof METHODS)[number];
export type InlineLanguage = (typeof LANGUAGES)[number];
export type VariableType = (typeof VARIABLE_TYPES)[number];
export type OnError = (typeof ON_ERROR)[number];
export type MemoryStrategy = (typeof MEMORY_STRATEGIES)[number];
export type PolicyAction = (typeof POLICY_ACTIONS)[number];
export type DeployAuth = (typeof DEPLOY_AUTH)[number];
export type ContainerNetwork = (typeof CONTAINER_NETWORKS)[number];
/** The deploy `auth` as the Lambda stack reads it; validation keeps `none` off lambda blocks. */
export type LambdaAuth = DeployAuth;
