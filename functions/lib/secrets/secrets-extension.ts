/**
 * A secret read through the AWS Parameters and Secrets Lambda Extension,
 * which the stack attaches to the run and stream functions: one localhost
 * HTTP call instead of importing `@aws-sdk/client-secrets-manager`, an
 * import that costs a cold start ≈ 115 ms before the first GetSecretValue
 * (the extension itself calls Secrets Manager with the function's role and
 * caches the value).
 *
 * Lambda starts the runtime once an extension has registered, not once it
 * listens, so a refused connection is retried for a short while. Anything
 * other than a value — no extension configured, not listening in time, an
 * error status, an answer without a secret — gives `undefined`, and the
 * caller reads the secret with the SDK, whose errors name the cause.
 */
import { nodeFetch } from '../../../shared/net/node-fetch.js';

export interface SecretsExtensionOptions {
  /** default: `process.env` (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`, set by the stack, and `AWS_SESSION_TOKEN`) */
  env?: NodeJS.ProcessEnv;
  /** how long a refused connection is retried (default 1000 ms) */
  readyWithinMs?: number;
  /** bound of one request, which may include the extension's own Secrets Manager call (default 5000 ms) */
  timeoutMs?: number;
}

const RETRY_EVERY_MS = 10;

/** The secret's value from the extension, or `undefined` when the SDK should read it. */
export async function secretFromExtension(secretId: string, options: SecretsExtensionOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT;
  const token = env.AWS_SESSION_TOKEN;
  if (!port || !/^\d+$/.test(port) || !token) return undefined;
  const url = `http://127.0.0.1:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
  const readyBy = Date.now() + (options.readyWithinMs ?? 1000);
  for (;;) {
    try {
      const response = await nodeFetch(url, { headers: { 'x-aws-parameters-secrets-token': token }, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      return valueOf(await response.json());
    } catch (error) {
      if (!refused(error) || Date.now() >= readyBy) return undefined;
      await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
    }
  }
}

/** `SecretString`, else the base64 `SecretBinary` decoded, of a GetSecretValue answer. */
function valueOf(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { SecretString, SecretBinary } = answer as { SecretString?: unknown; SecretBinary?: unknown };
  if (typeof SecretString === 'string' && SecretString !== '') return SecretString;
  if (typeof SecretBinary === 'string' && SecretBinary !== '') return Buffer.from(SecretBinary, 'base64').toString('utf8');
  return undefined;
}

function refused(error: unknown): boolean {
  return error instanceof TypeError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
}
