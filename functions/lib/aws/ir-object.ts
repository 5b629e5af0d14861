/**
 * Package IRs in S3, content-addressed: the key is the SHA-256 of the exact
 * bytes stored, so an upload is idempotent, a version's configuration names
 * its IR immutably, and a reader can verify what it loaded.
 */
import { sha256 } from './hash.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { AgentSpecError, ErrorCode } from '../../../shared/errors.js';
import type { IRDocument } from '../../../shared/ir/types.js';

export { IR_BUCKET_ENV, IR_DIGEST_ENV } from './env-names.js';

/** The bytes stored for an IR and their digest (hex SHA-256). */
export function serializeIR(ir: IRDocument): { body: string; digest: string } {
  const body = JSON.stringify(ir);
  return { body, digest: sha256(body) };
}

export { sha256 } from './hash.js';

/** The object key of an IR with this digest. */
export function irKey(digest: string): string {
  return `ir/${digest}.json`;
}

/** Uploads an IR under its digest (`serialized`: its `serializeIR`, when the caller has it already); returns the digest. */
export async function putIR(s3: S3Client, bucket: string, ir: IRDocument, serialized = serializeIR(ir)): Promise<string> {
  const { body, digest } = serialized;
  // imported here, not with the module, so a cold start from the bundled IR never loads the S3 SDK
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: irKey(digest),
      Body: body,
      ContentType: 'application/json',
      ChecksumAlgorithm: 'SHA256',
      Metadata: { package: ir.package.name, version: ir.package.version },
    }),
  );
  return digest;
}

/** Downloads the IR JSON with this digest and checks the bytes match it. Returns the parsed JSON (validate it with the IR loader). */
export async function getIRJson(s3: S3Client, bucket: string, digest: string): Promise<unknown> {
  let body: string;
  try {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: irKey(digest) }));
    body = (await out.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    throw new AgentSpecError(ErrorCode.ConfigError, `The package IR ${digest} could not be read from s3://${bucket}/${irKey(digest)}.`, {
      cause: error,
      details: { bucket, digest },
    });
  }
  if (sha256(body) !== digest) {
    throw new AgentSpecError(ErrorCode.ConfigError, `The package IR at s3://${bucket}/${irKey(digest)} does not match its digest.`, {
      details: { bucket, digest },
    });
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new AgentSpecError(ErrorCode.ConfigError, `The package IR ${digest} is not JSON.`, { cause: error, details: { digest } });
  }
}
