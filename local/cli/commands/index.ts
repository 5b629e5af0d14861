/** Every command of the CLI. Each module exports `register(program)`. */
import type { Command } from 'commander';
import { register as init } from './init.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  init,
];
