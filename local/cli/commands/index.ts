/** Every command of the CLI. Each module exports `register(program)`. */
import type { Command } from 'commander';
import { register as init } from './init.js';
import { register as validate } from './validate.js';
import { register as fmt } from './fmt.js';
import { register as exportIr } from './export.js';
import { register as migrate } from './migrate.js';
import { register as dev } from './dev.js';
import { register as serve } from './serve.js';
import { register as run } from './run.js';
import { register as plan } from './plan.js';
import { register as apply } from './apply.js';
import { register as status } from './status.js';
import { register as logs } from './logs.js';
import { register as destroy } from './destroy.js';
import { register as history } from './history.js';
import { register as rollback } from './rollback.js';
import { register as diff } from './diff.js';
import { register as graph } from './graph.js';
import { register as evalCases } from './eval.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  init,
  validate,
  fmt,
  exportIr,
  graph,
  evalCases,
  migrate,
  dev,
  serve,
  run,
  plan,
  apply,
  status,
  history,
  rollback,
  diff,
  logs,
  destroy,
];
