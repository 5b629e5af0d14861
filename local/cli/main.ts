/**
 * The `agentspec` command line. Each command lives in `commands/<name>.ts` and
 * registers itself on the program; this file only wires them and maps errors
 * to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { isAgentSpecError } from '../../shared/errors.js';

const program = new Command('agentspec')
  .description('AgentSpec Runtime: run IntentLang 2.0 agent packages locally, on Docker, Kubernetes and AWS Lambda.')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError()
  .exitOverride();

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (isAgentSpecError(error)) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
