// Plays the Lambda Node.js runtime for one bundled function in a fresh process:
// imports the bundle, sends one Function URL event, prints one JSON line.
// Plain JavaScript so that it runs under bare `node`, as Lambda does.
// Usage: node driver.mjs <bundle.mjs | none> <run|stream|deploy> [request body]
// Timings are milliseconds since the process started (performance.timeOrigin).
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';

const [bundle, kind, body = JSON.stringify({ message: 'hi' })] = process.argv.slice(2);
const started = performance.now();
if (bundle === 'none') {
  console.log(JSON.stringify({ started, answered: performance.now(), status: 0 }));
  process.exit(0);
}
const lambda = (globalThis.awslambda ??= {});
lambda.streamifyResponse ??= (handler) => handler;
// as aws-lambda-ric does: the prelude goes out with the first write of the body, not before
lambda.HttpResponseStream ??= {
  from(stream, metadata) {
    const write = stream.write.bind(stream);
    let first = true;
    stream.write = (chunk, ...rest) => {
      if (first) write(JSON.stringify(metadata) + '\0'.repeat(8));
      first = false;
      return write(chunk, ...rest);
    };
    return stream;
  },
};

const { handler } = await import(bundle);
const loaded = performance.now();
const path = kind === 'deploy' ? '/v1/deploy' : kind === 'stream' ? '/v1/agents/assistant/stream' : '/v1/agents/assistant/invoke';
const host = 'fn.lambda-url.us-east-1.on.aws';
const event = {
  version: '2.0',
  rawPath: path,
  rawQueryString: '',
  headers: { host, 'content-type': kind === 'deploy' ? 'text/plain' : 'application/json' },
  requestContext: {
    domainName: host,
    http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
    requestId: 'r',
    stage: '$default',
    routeKey: '$default',
    timeEpoch: Date.now(),
  },
  body,
  isBase64Encoded: false,
};
const context = { awsRequestId: 'r', functionName: kind, getRemainingTimeInMillis: () => 60_000 };
let status;
let text;
if (kind === 'stream') {
  let raw = '';
  const out = new Writable({
    write(chunk, _enc, done) {
      raw += chunk;
      done();
    },
  });
  await handler(event, out, context);
  const cut = raw.indexOf('\0'.repeat(8));
  status = JSON.parse(raw.slice(0, cut)).statusCode;
  text = raw.slice(cut + 8);
} else {
  const result = await handler(event, context);
  status = result.statusCode;
  text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
}
const answered = performance.now();
console.log(JSON.stringify({ started, loaded, answered, status, body: text }));
process.exit(0);
