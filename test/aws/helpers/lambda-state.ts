/**
 * The state of a fake account's Lambda functions and IR bucket, kept like the
 * real services keep it, and the operations on it that the hot swap calls.
 * Both fakes use it: `fake-lambda.ts` (the SDK clients mocked in process) and
 * `lambda-control-plane.ts` (the REST API over HTTP, for a built function).
 * As Lambda documents it: every configuration update and alias move gets a
 * new `RevisionId`, a write naming a stale one fails with
 * `PreconditionFailedException`, `PublishVersion` returns the latest version
 * when nothing changed since, and Invoke runs the version it is given.
 */
import { irKey } from '../../../functions/lib/aws/ir-object.js';

export interface FakeFunction {
  env: Record<string, string>;
  revision: string;
  versions: Record<string, Record<string, string>>;
  alias: { version: string; description?: string | undefined; revision: string };
  /** a response-streaming handler: Invoke answers the streamed bytes (prelude, 8 NUL bytes, body) */
  streaming?: boolean;
}

export type Step =
  'PutObject' | 'GetFunctionConfiguration' | 'UpdateFunctionConfiguration' | 'GetFunction' | 'PublishVersion' | 'UpdateAlias' | 'GetAlias' | 'Invoke';

/** What an Invoke answers: the payload, and `X-Amz-Function-Error` when the function failed. */
export interface InvokeAnswer {
  payload: string | Buffer;
  functionError?: string;
}

/** Answers an Invoke of `name` at `version` with `event`; `state` is there to read what that version serves. */
export type InvokeScript = (call: { name: string; version: string; event: unknown; state: LambdaState }) => InvokeAnswer | Promise<InvokeAnswer>;

/** An AWS service error: its name is the error type, `status` the HTTP status the REST API answers with. */
export class AwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = name;
  }
}

export class LambdaState {
  readonly functions: Record<string, FakeFunction> = {};
  readonly objects = new Map<string, string>();
  /** `Step function` in call order */
  readonly calls: string[] = [];
  /** what the update waiter sees as LastUpdateStatus */
  updateStatus: 'Successful' | 'Failed' | 'InProgress' = 'Successful';
  /** how Invoke answers (default: `healthyAnswer`) */
  onInvoke: InvokeScript = healthyAnswer;
  private readonly failures = new Map<Step, number>();
  private readonly concurrent = new Map<Step, number>();
  private readonly counts = new Map<Step, number>();
  private revisions = 1;

  /** Functions named `names`, each at version 1 behind `live`, with `KEEP=me` and `AGENTSPEC_IR_DIGEST=old`. */
  constructor(names: string[] = ['run-fn', 'stream-fn']) {
    for (const name of names) {
      const env = { KEEP: 'me', AGENTSPEC_IR_DIGEST: 'old' };
      this.functions[name] = { env: { ...env }, revision: 'r1', versions: { '1': { ...env } }, alias: { version: '1', revision: 'a1' } };
    }
  }

  /** make the n-th call (1-based) of a step fail with an AWS-style error */
  failAt(step: Step, nth = 1): void {
    this.failures.set(step, nth);
  }

  /** another deploy writes the functions (and their aliases) right before the n-th call of a step */
  concurrentWriteAt(step: Step, nth = 1): void {
    this.concurrent.set(step, nth);
  }

  putObject(key: string, body: string): void {
    this.record('PutObject');
    this.objects.set(key, body);
  }

  getAlias(name: string): { FunctionVersion: string; Description?: string | undefined; Name: string; RevisionId: string } {
    this.record('GetAlias', name);
    const { alias } = this.fn(name);
    return { FunctionVersion: alias.version, Description: alias.description, Name: 'live', RevisionId: alias.revision };
  }

  getFunctionConfiguration(name: string, qualifier?: string): { FunctionName: string; Environment: { Variables: Record<string, string> }; RevisionId: string } {
    this.record('GetFunctionConfiguration', name);
    const f = this.fn(name);
    const env = qualifier && qualifier !== '$LATEST' ? this.version(name, qualifier) : f.env;
    return { FunctionName: name, Environment: { Variables: { ...env } }, RevisionId: f.revision };
  }

  updateFunctionConfiguration(name: string, variables: Record<string, string>, revisionId?: string): { LastUpdateStatus: string; RevisionId: string } {
    this.record('UpdateFunctionConfiguration', name);
    const f = this.fn(name);
    this.precondition(revisionId, f.revision);
    f.env = { ...variables };
    f.revision = this.nextRevision();
    return { LastUpdateStatus: 'InProgress', RevisionId: f.revision };
  }

  getFunction(name: string): { Configuration: { FunctionName: string; RevisionId: string; LastUpdateStatus: string; LastUpdateStatusReason?: string } } {
    this.record('GetFunction', name);
    return {
      Configuration: {
        FunctionName: name,
        RevisionId: this.fn(name).revision,
        LastUpdateStatus: this.updateStatus,
        ...(this.updateStatus === 'Failed' ? { LastUpdateStatusReason: 'bad config' } : {}),
      },
    };
  }

  publishVersion(name: string, revisionId?: string): { Version: string } {
    this.record('PublishVersion', name);
    const f = this.fn(name);
    this.precondition(revisionId, f.revision);
    const latest = String(Object.keys(f.versions).length);
    if (JSON.stringify(f.versions[latest]) === JSON.stringify(f.env)) return { Version: latest };
    const version = String(Object.keys(f.versions).length + 1);
    f.versions[version] = { ...f.env };
    return { Version: version };
  }

  updateAlias(name: string, version: string, description: string | undefined, revisionId?: string): { FunctionVersion: string; RevisionId: string } {
    this.record('UpdateAlias', name);
    const f = this.fn(name);
    this.precondition(revisionId, f.alias.revision);
    this.version(name, version);
    f.alias = { version, description, revision: this.nextRevision() };
    return { FunctionVersion: version, RevisionId: f.alias.revision };
  }

  async invoke(name: string, qualifier: string | undefined, event: unknown): Promise<InvokeAnswer & { version: string }> {
    this.record('Invoke', name);
    const f = this.fn(name);
    const version = qualifier === undefined || qualifier === '$LATEST' ? '$LATEST' : qualifier === 'live' ? f.alias.version : qualifier;
    if (version !== '$LATEST') this.version(name, version);
    return { ...(await this.onInvoke({ name, version, event, state: this })), version };
  }

  /** The environment of a published version. */
  version(name: string, version: string): Record<string, string> {
    const env = this.fn(name).versions[version];
    if (!env) throw new AwsError('ResourceNotFoundException', `Function not found: ${name}:${version}`, 404);
    return env;
  }

  private fn(name: string | undefined): FakeFunction {
    const found = this.functions[name ?? ''];
    if (!found) throw new AwsError('ResourceNotFoundException', `Function not found: ${name}`, 404);
    return found;
  }

  private nextRevision(): string {
    return `r${++this.revisions}`;
  }

  private precondition(given: string | undefined, current: string): void {
    if (given !== undefined && given !== current)
      throw new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id.', 412);
  }

  private record(step: Step, name?: string): void {
    this.calls.push(name ? `${step} ${name}` : step);
    const n = (this.counts.get(step) ?? 0) + 1;
    this.counts.set(step, n);
    if (this.concurrent.get(step) === n)
      for (const f of Object.values(this.functions)) {
        f.revision = this.nextRevision();
        f.alias.revision = this.nextRevision();
      }
    if (this.failures.get(step) === n) throw new AwsError('ServiceException', `${step} failed`, 500);
  }
}

/** An HTTP answer as the function sends it: a buffered `{statusCode, body}`, or the streamed bytes of a response-streaming one. */
export function httpAnswer(streaming: boolean, status: number, body: unknown): string | Buffer {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = { 'content-type': 'application/json' };
  if (!streaming) return JSON.stringify({ statusCode: status, headers, body: text, isBase64Encoded: false });
  return Buffer.concat([Buffer.from(JSON.stringify({ statusCode: status, headers, cookies: [] })), Buffer.alloc(8), Buffer.from(text)]);
}

/** What a healthy version answers to `GET /healthz`: `status: ok` and the `hash` of the IR its configuration names. */
export const healthyAnswer: InvokeScript = ({ name, version, state }) => {
  const f = state.functions[name]!;
  const env = version === '$LATEST' ? f.env : state.version(name, version);
  const ir = state.objects.get(irKey(env.AGENTSPEC_IR_DIGEST ?? ''));
  const irHash = ir ? (JSON.parse(ir) as { hash?: string }).hash : undefined;
  return { payload: httpAnswer(f.streaming === true, 200, { status: 'ok', ir_hash: irHash }) };
};
