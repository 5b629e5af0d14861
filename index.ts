/**
 * The public API of the `agentspec-runtime` package (`import … from
 * 'agentspec-runtime'`): what the docs' "Programmatic use" and "Embedding"
 * sections import, gathered in one entry so the build can bundle it
 * (`dist/esm/index.mjs`) and emit its declarations (`dist/types/index.d.ts`).
 * Everything else under `shared/` and `local/` is internal.
 */

// errors
export { AgentSpecError, ErrorCode, isAgentSpecError, toAgentSpecError, httpStatusOf, type AgentSpecErrorOptions } from './shared/errors.js';

// the language: compile a package to its IR, check, format, migrate
export { compile, compilePackage, check, parse, validate, format, migrateToV2, migrateToV3, renderDiagnostic, MAX_SOURCE_BYTES } from './shared/lang/index.js';
export type { CompileOptions, CompileResult, Diagnostic, ParseResult, PackageHost, PackageCompileResult } from './shared/lang/index.js';

// the IR every runtime loads
export { loadIR, validateIR, IR_SCHEMA, IR_VERSION, findResource, resourcesOf } from './shared/ir/index.js';
export type * from './shared/ir/types.js';

// the runtime and its composition
export { Runtime, type RuntimeOptions } from './shared/loop/index.js';
export type { AgentInfo, AgentRuntime, InvokeRequest, InvokeResult, RunEvent, TokenUsage, ToolCallRecord } from './shared/loop/index.js';
export { composeRuntime, composeService, type ComposeOptions, type Service, type ServiceOptions, type ServiceSource } from './shared/compose/index.js';
export { runPipeline, type PipelineResult, type StepResult, type StepStatus } from './shared/pipeline/index.js';

// model providers
export {
  createAnthropicProvider,
  createOpenAIProvider,
  createOllamaProvider,
  createProviderFor,
  parseModel,
  SUPPORTED_PROVIDERS,
  collect,
  type AnthropicProviderOptions,
  type OpenAIProviderOptions,
  type CollectedResponse,
} from './shared/llm/index.js';
export type { ModelEvent, ModelProvider, ModelRequest } from './shared/llm/index.js';

// tools, secrets, the sandbox, sessions
export { createToolRegistry, type ToolRegistry, type ToolRegistryOptions } from './shared/tools/index.js';
export { SecretVault, EnvSecretResolver, FileSecretResolver, Redactor, type SecretResolver } from './shared/secrets/index.js';
export { createSandbox, type SandboxOptions } from './shared/sandbox/index.js';
export { MemorySessionStore, type Session, type SessionStore } from './shared/sessions/index.js';

// telemetry
export { Telemetry, createLogger, type Logger, type RuntimeObserver, type TelemetryEvent } from './shared/telemetry/index.js';

// HTTP: the Hono app, and serving it from Node
export { createApp, openApiDocument, type AppOptions } from './shared/http/index.js';
export { startServer, type RunningServer, type ServerOptions } from './local/server.js';
export { startLocalServer, type LocalServer, type LocalServerOptions } from './local/dev/local-server.js';
