/**
 * The two vitest projects (`vitest.config.ts`). `unit` is every suite not
 * listed here: it runs in the test's own process, needs nothing from the
 * system beyond Node and a POSIX shell, starts at most a throwaway process or
 * two (`sh`, `sleep`, a node one-liner, the stdio MCP fixture), and the whole
 * project runs in under a minute. `integration` is the suites listed here (a
 * file, or every suite below a folder), each for what it needs:
 *
 * - a system part: Docker, redis-server, bubblewrap, Chromium, python3,
 *   openssl, curl, a database server;
 * - AgentSpec in other processes, end to end: the CLI, a served or deployed
 *   runtime, the npm package, a built Lambda bundle or the CDK app, real MCP
 *   servers. Their tests each pay for starting Node processes: in `unit` they
 *   made the run take minutes instead of well under one.
 *
 * A new suite lands in `unit` unless listed here. `test/projects.test.ts`
 * fails when a unit suite (or a helper it imports) takes a system part; a
 * suite that starts AgentSpec processes has to be listed by hand.
 */
export const INTEGRATION_SUITES: readonly string[] = [
  // a Docker engine (and for compose-cli, Debian's docker-compose)
  'test/deploy/compose-cli.test.ts',
  'test/deploy/compose-deployer.test.ts',
  'test/deploy/compose-redis.test.ts',
  'test/deploy/docker-deployer.test.ts',
  'test/deploy/docker-inline.test.ts',
  'test/deploy/docker-api-keys.test.ts',
  'test/deploy/docker-user-keys.test.ts',
  'test/deploy/docker-lifecycle.test.ts',
  'test/deploy/docker-image-layers.test.ts',
  'test/deploy/docker-package-asset.test.ts',
  // a Docker engine and Debian's docker-registry
  'test/deploy/kubernetes-registry.test.ts',
  // redis-server
  'test/sessions/redis-store.test.ts',
  'test/local/dev-runs-redis.test.ts',
  'test/runs/redis-run-store.test.ts',
  'test/runs/runs-across-stores.test.ts',
  'test/loop/budget-redis.test.ts',
  // a DynamoDB server (dynalite) that the suite talks to over HTTP, like the Redis one
  'test/sessions/dynamodb-store.test.ts',
  'test/runs/dynamodb-run-store.test.ts',
  'test/aws/functions.test.ts',
  // bubblewrap and python3: the inline-code sandbox, for real
  'test/sandbox/bash.test.ts',
  'test/sandbox/bootstraps.test.ts',
  'test/sandbox/call-end.test.ts',
  'test/sandbox/create-sandbox.test.ts',
  'test/sandbox/escape-as-user.test.ts',
  'test/sandbox/escape.test.ts',
  'test/compose/compose-runtime.test.ts',
  'test/examples/support.test.ts',
  'test/examples/triage.test.ts',
  'test/local/dev-sandbox.test.ts',
  'test/tools/end-to-end.test.ts',
  'test/tools/inline-bash.test.ts',
  'test/tools/inline-executor.test.ts',
  'test/tools/redaction.test.ts',
  // Chromium
  'test/local/cross-site.test.ts',
  'test/local/playground.test.ts',
  'test/graph/graph-chromium.test.ts',
  'test/eval/playground-eval.test.ts',
  // python3 as an HTTP client
  'test/local/request-bodies.test.ts',
  // openssl makes the test's certificate
  'test/net/node-fetch-tls.test.ts',
  // the documented commands, run with bash, curl and bubblewrap
  'test/docs/commands.test.ts',

  // the npm package packed, installed and run
  'test/package/**/*.test.ts',
  // the CLI as a process
  'test/bench/main.test.ts',
  'test/cli/lang-commands.test.ts',
  'test/cli/migrate-v3.test.ts',
  'test/docs/canonical.test.ts',
  'test/local/init.test.ts',
  'test/local/run-command.test.ts',
  'test/eval/eval-command.test.ts',
  // every entry point started as a server process
  'test/compose/entry-point-logs.test.ts',
  // deployed runtime processes, and the state lock contended by processes
  'test/deploy/operations.test.ts',
  'test/deploy/process-deployer.test.ts',
  'test/deploy/process-auth.test.ts',
  'test/deploy/process-users-config.test.ts',
  'test/deploy/process-lifecycle.test.ts',
  'test/deploy/state-lock.test.ts',
  // the CDK app synthesised, the functions bundled by esbuild and started by node
  'test/aws/agentspec-stack.test.ts',
  'test/aws/cdk-cli.test.ts',
  'test/aws/function-bundles.test.ts',
  // the functions under AWS's runtime interface client (node 22, a native build)
  'test/aws/runtime-client.test.ts',
  'test/aws/package-asset-function.test.ts',
  // the sandbox functions: the CDK app synthesised with them; the JavaScript one and the run function under aws-lambda-ric
  'test/aws/sandbox-stack.test.ts',
  'test/aws/sandbox-javascript.test.ts',
  'test/aws/sandbox-end-to-end.test.ts',
  // the python sandbox function: python3 running it and the processes of each call
  'test/aws/sandbox-python.test.ts',
  'test/aws/deploy-runtime-client.test.ts',
  // the CDK app synthesised three times: what a cdk deploy does to a hot-swapped alias
  'test/aws/cdk-deploy-after-hot-swap.test.ts',
  'test/aws/stream-bounds.test.ts',
  'test/aws/user-keys-runtime-client.test.ts',
  'test/aws/runs-runtime-client.test.ts',
  'test/aws/approvals-runtime-client.test.ts',
  // real MCP servers (stdio, sse, streamable-http) in their own processes
  'test/tools/mcp-auth.test.ts',
  'test/tools/mcp-transports.test.ts',
  // the package asset: servers bundled by esbuild, then run with node and the SDK client
  'test/local/package-assets.test.ts',
];

/** Calls by which a suite (or a helper it imports) takes a system part; `requireCommand('sh')` is not one: every POSIX system has it. */
export const SYSTEM_PART_CALLS: readonly RegExp[] = [/requireDocker\(/, /startRedis\(/, /startDynalite\(/, /launchChromium\(/, /requireCommand\('(?!sh')/];
