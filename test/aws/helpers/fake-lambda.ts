/**
 * A scripted Lambda + S3 on aws-sdk-client-mock: the SDK clients answer from
 * the account state of `lambda-state.ts` (configuration, published versions,
 * aliases, RevisionIds, Invoke by script) and every call is recorded in
 * order across both clients.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { IRDocument } from '../../../shared/ir/types.js';
import { LambdaState } from './lambda-state.js';

export type { FakeFunction, InvokeAnswer, InvokeScript, Step } from './lambda-state.js';
export { healthyAnswer, httpAnswer } from './lambda-state.js';

export interface FakeAws {
  lambda: LambdaClient;
  s3: S3Client;
  /** the account: functions, objects, calls, failure and concurrency scripts, `onInvoke` */
  state: LambdaState;
  functions: LambdaState['functions'];
  objects: LambdaState['objects'];
  /** `Step function` in call order */
  calls: string[];
  failAt: LambdaState['failAt'];
  concurrentWriteAt: LambdaState['concurrentWriteAt'];
  restore(): void;
}

/** A fake account with two functions `run-fn` and `stream-fn` (a response-streaming one), each at version 1 behind `live`. */
export function fakeAws(): FakeAws {
  const lambdaMock = mockClient(LambdaClient);
  const s3Mock = mockClient(S3Client);
  const state = new LambdaState();
  state.functions['stream-fn']!.streaming = true;

  s3Mock.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => (state.putObject(input.Key, input.Body), {}));
  lambdaMock.on(GetAliasCommand).callsFake((input: { FunctionName: string }) => state.getAlias(input.FunctionName));
  lambdaMock
    .on(GetFunctionConfigurationCommand)
    .callsFake((input: { FunctionName: string; Qualifier?: string }) => state.getFunctionConfiguration(input.FunctionName, input.Qualifier));
  lambdaMock
    .on(UpdateFunctionConfigurationCommand)
    .callsFake((input: { FunctionName: string; Environment: { Variables: Record<string, string> }; RevisionId?: string }) =>
      state.updateFunctionConfiguration(input.FunctionName, input.Environment.Variables, input.RevisionId),
    );
  lambdaMock.on(GetFunctionCommand).callsFake((input: { FunctionName: string }) => state.getFunction(input.FunctionName));
  lambdaMock
    .on(PublishVersionCommand)
    .callsFake((input: { FunctionName: string; RevisionId?: string }) => state.publishVersion(input.FunctionName, input.RevisionId));
  lambdaMock
    .on(UpdateAliasCommand)
    .callsFake((input: { FunctionName: string; FunctionVersion: string; Description?: string | undefined; RevisionId?: string }) =>
      state.updateAlias(input.FunctionName, input.FunctionVersion, input.Description, input.RevisionId),
    );
  lambdaMock.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Qualifier?: string; Payload?: Uint8Array }) => {
    const event = input.Payload ? (JSON.parse(Buffer.from(input.Payload).toString('utf8')) as unknown) : undefined;
    const answer = await state.invoke(input.FunctionName, input.Qualifier, event);
    return {
      StatusCode: 200,
      ExecutedVersion: answer.version,
      Payload: new Uint8Array(Buffer.from(answer.payload)),
      ...(answer.functionError ? { FunctionError: answer.functionError } : {}),
    };
  });

  return {
    lambda: new LambdaClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    state,
    functions: state.functions,
    objects: state.objects,
    calls: state.calls,
    failAt: (step, nth) => state.failAt(step, nth),
    concurrentWriteAt: (step, nth) => state.concurrentWriteAt(step, nth),
    restore() {
      lambdaMock.restore();
      s3Mock.restore();
    },
  };
}

/** A small valid-looking IR document for deploy tests. */
export function irDocument(name = 'demo', version = '1.0.0'): IRDocument {
  return { ir_version: '1', package: { name, version, lang: '2.0' }, hash: `hash-of-${name}-${version}`, resources: [] };
}
