/**
 * Swaps a new package into the deployed run and stream functions without a
 * CDK deploy: IR to S3 under its digest → each function's configuration names
 * the digest → wait for the update → publish a version → smoke-test each new
 * version (`smoke.ts`) → move the `live` alias. The alias is the only thing
 * clients see, and it moves last, so a failure at any earlier step (a new
 * version that does not answer `/healthz` with the deployed IR included)
 * changes nothing; a failure between the two alias moves puts the first
 * alias back. Every write is conditional on the
 * `RevisionId` read before it, so a concurrent deploy makes this one fail
 * instead of interleaving with it; deploying the package that is already
 * live changes nothing and says so.
 */
import type { GetFunctionCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { AgentSpecError, ErrorCode, isAgentSpecError } from '../../../shared/errors.js';
import type { IRDocument } from '../../../shared/ir/types.js';
import { IR_DIGEST_ENV, putIR, serializeIR } from '../aws/ir-object.js';

/** names the IR bundled at synth on the run and stream functions (what a version the stack published serves) */
const BUNDLED_IR_DIGEST_ENV = 'AGENTSPEC_BUNDLED_IR_DIGEST';

export interface HotSwapOptions {
  lambda: LambdaClient;
  s3: S3Client;
  bucket: string;
  /** names (or ARNs) of the functions to move, in order: run, stream */
  functions: { run: string; stream: string };
  /** alias the endpoints point at */
  alias?: string | undefined;
  /** longest wait for one configuration update, seconds */
  maxWaitSeconds?: number;
  /** longest wait for one new version's smoke test, milliseconds (default 60 s: it includes the version's INIT) */
  smokeTimeoutMs?: number;
}

/**
 * What the alias carries in its description, so status and rollback need no
 * other store. `version` is the version the hot swap pointed the alias at: a
 * note whose alias now points elsewhere (a `cdk deploy` moved it) is stale and
 * ignored.
 */
interface AliasNote {
  digest?: string | undefined;
  previous?: string | undefined;
  version?: string | undefined;
}

export interface DeployedVersion {
  digest: string | undefined;
  version: string;
  /** the package was already live: nothing was published or moved */
  unchanged?: boolean;
  /** status: the live alias points where a hot swap put it (false: the stack's `cdk deploy` did, or a hand) */
  hot_swapped?: boolean;
  functions: Record<'run' | 'stream', { version: string; previous_version?: string | undefined }>;
}

type Role = 'run' | 'stream';

/** The Lambda SDK's commands, imported when a swap first needs them (the module loader keeps them): the deploy function's cold start does not load them. */
function lambdaSdk(): Promise<typeof import('@aws-sdk/client-lambda')> {
  return import('@aws-sdk/client-lambda');
}
const ROLES: Role[] = ['run', 'stream'];

/** The hot-swap deploy: `deploy`, `status`, `rollback`. */
export class HotSwap {
  private readonly alias: string;

  constructor(private readonly options: HotSwapOptions) {
    this.alias = options.alias ?? 'live';
  }

  /** Publishes `ir` as the new live version of both functions. */
  async deploy(ir: IRDocument): Promise<DeployedVersion> {
    const { lambda, s3, bucket } = this.options;
    const before = await this.aliases();
    const serialized = serializeIR(ir);
    if (ROLES.every((role) => before[role].note.digest === serialized.digest)) return this.unchanged(serialized.digest, before);
    const digest = await this.step('upload the IR to S3', () => putIR(s3, bucket, ir, serialized));
    const published: Record<Role, string> = { run: '', stream: '' };
    for (const role of ROLES) {
      const name = this.options.functions[role];
      const current = await this.step(`read the ${role} function's configuration`, async () =>
        lambda.send(new (await lambdaSdk()).GetFunctionConfigurationCommand({ FunctionName: name })),
      );
      // UpdateFunctionConfiguration replaces the whole variable map, so keep the others.
      const variables = { ...(current.Environment?.Variables ?? {}), [IR_DIGEST_ENV]: digest };
      await this.step(`update the ${role} function's configuration`, async () =>
        lambda.send(
          new (await lambdaSdk()).UpdateFunctionConfigurationCommand({
            FunctionName: name,
            Environment: { Variables: variables },
            ...(current.RevisionId ? { RevisionId: current.RevisionId } : {}),
          }),
        ),
      );
      const revision = await this.step(`wait for the ${role} function's update`, () => this.waitUpdated(name));
      const version = await this.step(`publish a version of the ${role} function`, async () =>
        lambda.send(
          new (await lambdaSdk()).PublishVersionCommand({
            FunctionName: name,
            Description: `agentspec ${ir.package.name}@${ir.package.version} ir ${digest}`,
            ...(revision ? { RevisionId: revision } : {}),
          }),
        ),
      );
      if (!version.Version) throw new AgentSpecError(ErrorCode.DeployError, `Publishing the ${role} function returned no version.`);
      published[role] = version.Version;
    }
    // Lambda answers PublishVersion with the existing version when nothing changed: the live one is this package already
    if (ROLES.every((role) => published[role] === before[role].version)) return this.unchanged(digest, before);
    await this.smokeTest(published, before, ir.hash);
    await this.moveAliases(published, before, digest);
    return {
      digest,
      version: published.run,
      functions: {
        run: { version: published.run, previous_version: before.run.version },
        stream: { version: published.stream, previous_version: before.stream.version },
      },
    };
  }

  /** The live digest and versions. */
  async status(): Promise<DeployedVersion> {
    const now = await this.aliases();
    return {
      digest: now.run.note.digest ?? (await this.digestOf('run', now.run.version)),
      version: now.run.version,
      hot_swapped: now.run.note.digest !== undefined,
      functions: {
        run: { version: now.run.version, previous_version: now.run.note.previous },
        stream: { version: now.stream.version, previous_version: now.stream.note.previous },
      },
    };
  }

  /** Moves both aliases back to the versions they pointed at before the last deploy. */
  async rollback(): Promise<DeployedVersion> {
    const now = await this.aliases();
    const target: Record<Role, string> = { run: '', stream: '' };
    for (const role of ROLES) {
      const previous = now[role].note.previous;
      if (!previous)
        throw new AgentSpecError(
          ErrorCode.InvalidRequest,
          now[role].stale
            ? `The ${role} function's ${this.alias} alias was moved outside the hot swap (a cdk deploy): there is no hot-swapped version to roll back from.`
            : `There is no previous version of the ${role} function to roll back to.`,
          { details: { function: this.options.functions[role] } },
        );
      target[role] = previous;
    }
    const digest = await this.digestOf('run', target.run);
    await this.moveAliases(target, now, digest);
    return {
      digest,
      version: target.run,
      functions: { run: { version: target.run, previous_version: now.run.version }, stream: { version: target.stream, previous_version: now.stream.version } },
    };
  }

  private unchanged(digest: string, now: Record<Role, { version: string; note: AliasNote }>): DeployedVersion {
    return {
      digest,
      version: now.run.version,
      unchanged: true,
      functions: {
        run: { version: now.run.version, previous_version: now.run.note.previous },
        stream: { version: now.stream.version, previous_version: now.stream.note.previous },
      },
    };
  }

  /** Invokes each new version with `GET /healthz`; the first that fails stops the deploy with the aliases where they are. */
  private async smokeTest(published: Record<Role, string>, before: Record<Role, { version: string }>, irHash: string): Promise<void> {
    const { smokeTest } = await import('./smoke.js');
    for (const role of ROLES) {
      if (published[role] === before[role].version) continue;
      const failure = await smokeTest(
        this.options.lambda,
        { role, functionName: this.options.functions[role], version: published[role], irHash },
        this.options.smokeTimeoutMs ?? 60_000,
      );
      if (!failure) continue;
      const what =
        failure.reason === 'timeout'
          ? 'did not answer in time'
          : failure.reason === 'wrong_ir'
            ? 'serves another IR than the one deployed'
            : `answered ${failure.status ?? failure.error_type ?? failure.reason}`;
      throw new AgentSpecError(
        ErrorCode.DeployError,
        `Deploy failed: version ${published[role]} of the ${role} function did not pass its smoke test (GET /healthz ${what}); the live alias was not moved.`,
        { details: { step: 'smoke test', smoke: failure, published: { run: published.run, stream: published.stream }, live: false } },
      );
    }
  }

  private async moveAliases(
    target: Record<Role, string>,
    before: Record<Role, { version: string; description?: string | undefined; revision?: string | undefined }>,
    digest: string | undefined,
  ): Promise<void> {
    const moved: Role[] = [];
    try {
      for (const role of ROLES) {
        const note: AliasNote = { digest, previous: before[role].version, version: target[role] };
        await this.step(`move the ${role} function's ${this.alias} alias`, async () =>
          this.options.lambda.send(
            new (await lambdaSdk()).UpdateAliasCommand({
              FunctionName: this.options.functions[role],
              Name: this.alias,
              FunctionVersion: target[role],
              Description: JSON.stringify(note),
              ...(before[role].revision ? { RevisionId: before[role].revision } : {}),
            }),
          ),
        );
        moved.push(role);
      }
    } catch (error) {
      // Put back what already moved so that run and stream never serve different packages.
      for (const role of moved) {
        try {
          await this.options.lambda.send(
            new (await lambdaSdk()).UpdateAliasCommand({
              FunctionName: this.options.functions[role],
              Name: this.alias,
              FunctionVersion: before[role].version,
              Description: before[role].description,
            }),
          );
        } catch {
          // the original failure is the one to report; this one is best effort
        }
      }
      throw error;
    }
  }

  /** Waits for the configuration update; returns the function's new `RevisionId`. */
  private async waitUpdated(name: string): Promise<string | undefined> {
    const maxWaitTime = this.options.maxWaitSeconds ?? 300;
    const result = await (
      await lambdaSdk()
    ).waitForFunctionUpdatedV2(
      { client: this.options.lambda, maxWaitTime, minDelay: 1, maxDelay: Math.max(1, Math.min(5, maxWaitTime - 1)) },
      { FunctionName: name },
    );
    // WaiterState values are plain strings; comparing them avoids a direct @smithy dependency
    const state = String(result.state);
    const last = (result.reason as GetFunctionCommandOutput | undefined)?.Configuration;
    if (state === 'SUCCESS') return last?.RevisionId;
    const reason = last?.LastUpdateStatusReason;
    const what = state === 'TIMEOUT' ? `did not finish within ${maxWaitTime} s` : `ended ${state.toLowerCase()}${reason ? `: ${reason}` : ''}`;
    throw new AgentSpecError(ErrorCode.DeployError, `Deploy failed: the configuration update of ${name} ${what}; the live alias was not moved.`, {
      details: { function: name, state },
    });
  }

  private async aliases(): Promise<
    Record<Role, { version: string; description?: string | undefined; revision?: string | undefined; note: AliasNote; stale: boolean }>
  > {
    const read = async (role: Role) => {
      const out = await this.step(`read the ${role} function's ${this.alias} alias`, async () =>
        this.options.lambda.send(new (await lambdaSdk()).GetAliasCommand({ FunctionName: this.options.functions[role], Name: this.alias })),
      );
      const version = out.FunctionVersion ?? '$LATEST';
      const note = parseNote(out.Description);
      // a note written for another version than the alias's is stale: something else (a cdk deploy) moved the alias since
      const stale = note.version !== undefined && note.version !== version;
      return { version, description: out.Description, revision: out.RevisionId, note: stale ? {} : note, stale };
    };
    return { run: await read('run'), stream: await read('stream') };
  }

  private async digestOf(role: Role, version: string): Promise<string | undefined> {
    const out = await this.step(`read version ${version} of the ${role} function`, async () =>
      this.options.lambda.send(new (await lambdaSdk()).GetFunctionConfigurationCommand({ FunctionName: this.options.functions[role], Qualifier: version })),
    );
    // a version the stack published serves its bundled IR
    return out.Environment?.Variables?.[IR_DIGEST_ENV] ?? out.Environment?.Variables?.[BUNDLED_IR_DIGEST_ENV];
  }

  /** Runs one step; a failure becomes a `deploy_error` naming the step (the cause keeps the AWS error). */
  private async step<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isAgentSpecError(error)) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      if (name === 'PreconditionFailedException')
        throw new AgentSpecError(
          ErrorCode.DeployError,
          `Deploy failed: another deploy changed the functions while this one ran (at: ${what}); the live alias was not moved. Retry once it has finished.`,
          {
            cause: error,
            details: { step: what, concurrent: true },
          },
        );
      throw new AgentSpecError(ErrorCode.DeployError, `Deploy failed: could not ${what} (${name}); the live alias was not moved.`, {
        cause: error,
        details: { step: what },
      });
    }
  }
}

function parseNote(description: string | undefined): AliasNote {
  if (!description) return {};
  try {
    const parsed = JSON.parse(description) as unknown;
    if (parsed && typeof parsed === 'object') {
      const { digest, previous, version } = parsed as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      return { digest: text(digest), previous: text(previous), version: text(version) };
    }
  } catch {
    // a description written by someone else: no note
  }
  return {};
}
