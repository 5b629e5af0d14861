/**
 * Stand-ins for the two ways a Lambda function reads its Anthropic key, over
 * their real wire protocols: Secrets Manager's JSON API (the SDK pointed at
 * it with `AWS_ENDPOINT_URL_SECRETS_MANAGER`) and the Parameters and Secrets
 * extension's localhost API (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`). Both
 * answer every secret with `value`, after `latencyMs` when given (the time a
 * read from Lambda takes, which a cold start can overlap with its own work).
 * Used by the bundle bench.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecrets {
  /** the environment that points a function at this stand-in */
  env: NodeJS.ProcessEnv;
  /** requests seen: `<method> <url> <x-amz-target or token header>` */
  requests: string[];
  close(): Promise<void>;
}

export interface FakeSecretsOptions {
  /** delay before each answer (default 0) */
  latencyMs?: number;
}

async function serve(kind: 'api' | 'extension', value: string, options: FakeSecretsOptions): Promise<FakeSecrets> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const label = kind === 'api' ? req.headers['x-amz-target'] : req.headers['x-aws-parameters-secrets-token'];
    requests.push(`${req.method} ${req.url} ${String(label ?? '-')}`);
    const answer = (): void => {
      res.writeHead(200, { 'content-type': kind === 'api' ? 'application/x-amz-json-1.1' : 'application/json' });
      res.end(
        JSON.stringify({ ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-AbCdEf', Name: 'bench', SecretString: value, VersionId: 'v1' }),
      );
    };
    req.resume();
    req.on('end', () => setTimeout(answer, options.latencyMs ?? 0));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const env: NodeJS.ProcessEnv =
    kind === 'api'
      ? { AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key' }
      : {
          PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
          AWS_SESSION_TOKEN: 'bench-session-token',
          AWS_ACCESS_KEY_ID: 'AKIDBENCH',
          AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
        };
  return {
    env,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Secrets Manager's API (GetSecretValue), for the SDK client. */
export const startFakeSecretsManager = (value: string, options: FakeSecretsOptions = {}): Promise<FakeSecrets> => serve('api', value, options);
/** The Parameters and Secrets extension's localhost API. */
export const startFakeSecretsExtension = (value: string, options: FakeSecretsOptions = {}): Promise<FakeSecrets> => serve('extension', value, options);
