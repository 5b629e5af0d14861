/** A Function URL / API Gateway v2 event as a Fetch `Request`. */
import type { APIGatewayProxyEventV2, LambdaFunctionURLEvent } from 'aws-lambda';

export type HttpEventV2 = LambdaFunctionURLEvent | APIGatewayProxyEventV2;

/** Builds the request Hono sees from a payload-format-2.0 event. */
export function toRequest(event: HttpEventV2, signal?: AbortSignal): Request {
  const host = event.headers['x-forwarded-host'] ?? event.requestContext.domainName;
  const url = `https://${host}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers)) if (value !== undefined) headers.set(name, value);
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const method = event.requestContext.http.method;
  const hasBody = event.body !== undefined && event.body !== null && method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body) : undefined;
  return new Request(url, { method, headers, body: body ?? null, signal: signal ?? null });
}
