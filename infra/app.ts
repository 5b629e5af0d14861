/**
 * The CDK app: `npx cdk synth -c package=examples/support/agents.ias`
 * (optional `-c target=<deploy block>`, `-c env=<overlay>`,
 * `-c stackName=…`, `-c account=…`, `-c region=…`, `-c sourceMaps=true`). Synth is offline: local
 * esbuild, no Docker, no credentials.
 */
import { join, resolve } from 'node:path';
import { buildAgentSpecApp, createCdkApp } from './build-app.js';

const projectRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const app = createCdkApp();
buildAgentSpecApp(app, { projectRoot, irOutDir: join(app.outdir, 'agentspec') });
app.synth();
