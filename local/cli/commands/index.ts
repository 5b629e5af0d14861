/** Every command of the CLI. Each module exports `register(program)`. */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
];
