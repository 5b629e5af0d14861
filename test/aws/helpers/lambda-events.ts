/**
 * Factories for real Lambda HTTP event shapes (payload format 2.0, as sent by
 * a Function URL and by an API Gateway HTTP API).
 */
import type { APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';

export interface HttpEventInput {
  method?: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: unknown;
  base64?: boolean;
}

function common(input: HttpEventInput) {
  const method = input.method ?? (input.body === undefined ? 'GET' : 'POST');
  const text = input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  const headers: Record<string, string> = {
    host: 'abc123.lambda-url.us-east-1.on.aws',
    'user-agent': 'vitest',
    'x-forwarded-proto': 'https',
    ...(text !== undefined && typeof input.body !== 'string' ? { 'content-type': 'application/json' } : {}),
    ...input.headers,
  };
  return { method, text, headers };
}

/** A Function URL invocation event. */
export function functionUrlEvent(input: HttpEventInput): LambdaFunctionURLEvent {
  const { method, text, headers } = common(input);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: input.path,
    rawQueryString: input.query ?? '',
    headers,
    ...(input.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(input.query)) } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abc123',
      domainName: 'abc123.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abc123',
      http: { method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(text === undefined ? {} : { body: input.base64 ? Buffer.from(text).toString('base64') : text }),
    isBase64Encoded: input.base64 ?? false,
  };
}

/** An API Gateway HTTP API (v2 payload) event. */
export function apiGatewayV2Event(input: HttpEventInput): APIGatewayProxyEventV2 {
  const { method, text, headers } = common({ ...input, headers: { host: 'api.example.execute-api.us-east-1.amazonaws.com', ...input.headers } });
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: input.path,
    rawQueryString: input.query ?? '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'api',
      http: { method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(16).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(text === undefined ? {} : { body: text }),
    isBase64Encoded: false,
  };
}
