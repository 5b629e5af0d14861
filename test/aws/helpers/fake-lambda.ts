/**
 * A scripted Lambda + S3 on aws-sdk-client-mock that keeps state like the
 * real services (function configuration, published versions, aliases) and
 * records every call in order across both clients. As Lambda documents it:
 * every configuration update and alias move gets a new `RevisionId`, a write
 * that names a stale one fails with `PreconditionFailedException`, and
 * `PublishVersion` returns the latest version when nothing changed since.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { IRDocument } from '../../../shared/ir/types.js';

export interface FakeFunction {
  env: Record<string, string>;
  revision: string;
  versions: Record<string, Record<string, string>>;
  alias: { version: string; description?: string | undefined; revision: string };
}

export type Step = 'PutObject' | 'GetFunctionConfiguration' | 'UpdateFunctionConfiguration' | 'GetFunction' | 'PublishVersion' | 'UpdateAlias' | 'GetAlias';

export interface FakeAws {
  lambda: LambdaClient;
  s3: S3Client;
  functions: Record<string, FakeFunction>;
  objects: Map<string, string>;
  /** `Step function` in call order */
  calls: string[];
  /** make the n-th call (1-based) of a step fail with an AWS-style error */
  failAt(step: Step, nth?: number): void;
  /** make the update waiter see this LastUpdateStatus */
  updateStatus: 'Successful' | 'Failed' | 'InProgress';
  /** another deploy writes the function (and its alias) right before the n-th call of a step */
  concurrentWriteAt(step: Step, nth?: number): void;
  restore(): void;
}

/** A fake account with two functions `run-fn` and `stream-fn`, each at version 1 behind `live`. */
export function fakeAws(): FakeAws {
  const lambdaMock = mockClient(LambdaClient);
  const s3Mock = mockClient(S3Client);
  const functions: Record<string, FakeFunction> = {};
  for (const name of ['run-fn', 'stream-fn']) {
    const env = { KEEP: 'me', AGENTSPEC_IR_DIGEST: 'old' };
    functions[name] = { env: { ...env }, revision: 'r1', versions: { '1': { ...env } }, alias: { version: '1', revision: 'a1' } };
  }
  const fake: FakeAws = {
    lambda: new LambdaClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    functions,
    objects: new Map(),
    calls: [],
    updateStatus: 'Successful',
    failAt(step, nth = 1) {
      failures.set(step, nth);
    },
    concurrentWriteAt(step, nth = 1) {
      concurrent.set(step, nth);
    },
    restore() {
      lambdaMock.restore();
      s3Mock.restore();
    },
  };
  const failures = new Map<Step, number>();
  const concurrent = new Map<Step, number>();
  let revisions = 1;
  const nextRevision = () => `r${++revisions}`;
  const precondition = (given: string | undefined, current: string) => {
    if (given !== undefined && given !== current)
      throw Object.assign(new Error('The Revision Id provided does not match the latest Revision Id.'), { name: 'PreconditionFailedException' });
  };
  const counts = new Map<Step, number>();
  const record = (step: Step, name?: string) => {
    fake.calls.push(name ? `${step} ${name}` : step);
    const n = (counts.get(step) ?? 0) + 1;
    counts.set(step, n);
    if (concurrent.get(step) === n)
      for (const f of Object.values(functions)) {
        f.revision = nextRevision();
        f.alias.revision = nextRevision();
      }
    if (failures.get(step) === n) {
      const error = new Error(`${step} failed`);
      error.name = 'ServiceException';
      throw error;
    }
  };
  const fn = (name: string | undefined): FakeFunction => {
    const found = functions[name ?? ''];
    if (!found) throw Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' });
    return found;
  };

  s3Mock.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
    record('PutObject');
    fake.objects.set(input.Key, input.Body);
    return {};
  });
  lambdaMock.on(GetAliasCommand).callsFake((input: { FunctionName: string }) => {
    record('GetAlias', input.FunctionName);
    const { alias } = fn(input.FunctionName);
    return { FunctionVersion: alias.version, Description: alias.description, Name: 'live', RevisionId: alias.revision };
  });
  lambdaMock.on(GetFunctionConfigurationCommand).callsFake((input: { FunctionName: string; Qualifier?: string }) => {
    record('GetFunctionConfiguration', input.FunctionName);
    const f = fn(input.FunctionName);
    const env = input.Qualifier ? f.versions[input.Qualifier] : f.env;
    return { FunctionName: input.FunctionName, Environment: { Variables: { ...env } }, RevisionId: f.revision };
  });
  lambdaMock
    .on(UpdateFunctionConfigurationCommand)
    .callsFake((input: { FunctionName: string; Environment: { Variables: Record<string, string> }; RevisionId?: string }) => {
      record('UpdateFunctionConfiguration', input.FunctionName);
      const f = fn(input.FunctionName);
      precondition(input.RevisionId, f.revision);
      f.env = { ...input.Environment.Variables };
      f.revision = nextRevision();
      return { LastUpdateStatus: 'InProgress', RevisionId: f.revision };
    });
  lambdaMock.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => {
    record('GetFunction', input.FunctionName);
    return {
      Configuration: {
        FunctionName: input.FunctionName,
        RevisionId: fn(input.FunctionName).revision,
        LastUpdateStatus: fake.updateStatus,
        LastUpdateStatusReason: fake.updateStatus === 'Failed' ? 'bad config' : undefined,
      },
    };
  });
  lambdaMock.on(PublishVersionCommand).callsFake((input: { FunctionName: string; RevisionId?: string }) => {
    record('PublishVersion', input.FunctionName);
    const f = fn(input.FunctionName);
    precondition(input.RevisionId, f.revision);
    const latest = String(Object.keys(f.versions).length);
    if (JSON.stringify(f.versions[latest]) === JSON.stringify(f.env)) return { Version: latest };
    const version = String(Object.keys(f.versions).length + 1);
    f.versions[version] = { ...f.env };
    return { Version: version };
  });
  lambdaMock
    .on(UpdateAliasCommand)
    .callsFake((input: { FunctionName: string; FunctionVersion: string; Description?: string | undefined; RevisionId?: string }) => {
      record('UpdateAlias', input.FunctionName);
      const f = fn(input.FunctionName);
      precondition(input.RevisionId, f.alias.revision);
      f.alias = { version: input.FunctionVersion, description: input.Description, revision: nextRevision() };
      return { FunctionVersion: input.FunctionVersion, RevisionId: f.alias.revision };
    });
  return fake;
}

/** A small valid-looking IR document for deploy tests. */
export function irDocument(name = 'demo', version = '1.0.0'): IRDocument {
  return { ir_version: '1', package: { name, version, lang: '2.0' }, hash: `hash-of-${name}-${version}`, resources: [] };
}
