#!/usr/bin/env node
// Runs the TypeScript CLI in a checkout (`npx agentspec …`) through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../local/cli/main.ts');
