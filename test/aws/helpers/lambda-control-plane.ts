/**
 * An HTTP stand-in of the AWS Lambda control plane (REST API 2015-03-31) and
 * of S3 `PutObject`, for a built function whose SDK clients are pointed at it
 * (`AWS_ENDPOINT_URL_LAMBDA`, `AWS_ENDPOINT_URL_S3`). It serves the account
 * state of `lambda-state.ts`, so it behaves like `fake-lambda.ts` does in
 * process, over the wire as AWS documents it: JSON bodies with the API's
 * member names, `PublishVersion` answering 201, an error as its HTTP status
 * with the `X-Amzn-ErrorType` header and a `{Type, message}` body (so a stale
 * `RevisionId` is a 412 `PreconditionFailedException`), and Invoke answering
 * the payload with `X-Amz-Executed-Version` and `X-Amz-Function-Error`. The
 * payload comes from `state.onInvoke`. S3 is path-style (the SDK uses it for
 * an endpoint that is an IP address) and checks `x-amz-checksum-sha256`.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../helpers/loopback-server.js';
import { AwsError, type LambdaState } from './lambda-state.js';

export interface LambdaControlPlane {
  /** `http://127.0.0.1:<port>`: the value of AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_S3 */
  url: string;
  /** `METHOD path` of every request, in order */
  requests: string[];
  close(): Promise<void>;
}

const FUNCTIONS = /^\/2015-03-31\/functions\/([^/]+)(\/[a-z]+)?(?:\/([^/]+))?$/;

export async function startLambdaControlPlane(state: LambdaState): Promise<LambdaControlPlane> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    void serve(state, requests, req, res).catch((error: unknown) => {
      const e = error instanceof AwsError ? error : new AwsError('ServiceException', String(error), 500);
      res
        .writeHead(e.status, { 'content-type': 'application/json', 'x-amzn-errortype': e.name, 'x-amzn-requestid': 'req' })
        .end(JSON.stringify({ Type: e.status < 500 ? 'User' : 'Service', message: e.message }));
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}

async function serve(state: LambdaState, requests: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  requests.push(`${method} ${url.pathname}`);
  const body = await readBody(req);
  const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  const match = FUNCTIONS.exec(url.pathname);
  if (!match) {
    // S3, path-style: PUT /<bucket>/<key>
    const [, , ...key] = url.pathname.split('/');
    if (method !== 'PUT' || key.length === 0) throw new AwsError('UnknownOperationException', `${method} ${url.pathname}`, 404);
    // S3 checks the checksum the client computed over the bytes it sent
    const checksum = req.headers['x-amz-checksum-sha256'];
    if (checksum !== undefined && checksum !== createHash('sha256').update(body).digest('base64'))
      return void res
        .writeHead(400, { 'content-type': 'application/xml' })
        .end('<Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated checksum.</Message></Error>');
    state.putObject(decodeURIComponent(key.join('/')), body.toString('utf8'));
    return void res.writeHead(200, { etag: '"etag"', ...(checksum ? { 'x-amz-checksum-sha256': checksum } : {}) }).end();
  }
  const name = decodeURIComponent(match[1]!);
  const resource = match[2];
  const qualifier = url.searchParams.get('Qualifier') ?? undefined;
  const input = () => (body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {});
  const route = `${method} ${resource ?? ''}${match[3] ? '/{Name}' : ''}`;
  switch (route) {
    case 'GET /aliases/{Name}':
      return json(200, state.getAlias(name));
    case 'PUT /aliases/{Name}': {
      const { FunctionVersion, Description, RevisionId } = input() as { FunctionVersion: string; Description?: string; RevisionId?: string };
      return json(200, state.updateAlias(name, FunctionVersion, Description, RevisionId));
    }
    case 'GET /configuration':
      return json(200, state.getFunctionConfiguration(name, qualifier));
    case 'PUT /configuration': {
      const { Environment, RevisionId } = input() as { Environment: { Variables: Record<string, string> }; RevisionId?: string };
      return json(200, state.updateFunctionConfiguration(name, Environment.Variables, RevisionId));
    }
    case 'GET ':
      return json(200, state.getFunction(name));
    case 'POST /versions':
      return json(201, state.publishVersion(name, (input() as { RevisionId?: string }).RevisionId));
    case 'POST /invocations': {
      const event = body.length > 0 ? (JSON.parse(body.toString('utf8')) as unknown) : undefined;
      const answer = await state.invoke(name, qualifier, event);
      return void res
        .writeHead(200, {
          'content-type': 'application/json',
          'x-amz-executed-version': answer.version,
          ...(answer.functionError ? { 'x-amz-function-error': answer.functionError } : {}),
        })
        .end(answer.payload);
    }
    default:
      throw new AwsError('UnknownOperationException', `${method} ${url.pathname}`, 404);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
