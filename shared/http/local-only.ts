/**
 * The guard of a server without API keys that listens on loopback: only this
 * machine can connect, but a browser on this machine can be made to send
 * requests for a web page. Two checks keep such pages out:
 *
 * - DNS rebinding: a page of `evil.example` whose name is then re-pointed at
 *   127.0.0.1 sends `Host: evil.example`. Only loopback names are answered.
 * - Cross-origin requests: a browser names the page's origin in `Origin`;
 *   a request from any origin but the server's own is refused.
 *
 * (`readBody` refusing non-JSON bodies is the third layer, on every server.)
 */
import { AgentSpecError, ErrorCode } from '../errors.js';

/** True for an address or name only this machine can reach: `localhost`, 127.0.0.0/8, `::1`, IPv4-mapped 127.0.0.0/8 (either notation). */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(name) || /^::ffff:7f[\da-f]{2}:[\da-f]{1,4}$/.test(name);
}

/** True for a `Host` header naming this machine: a loopback address, `localhost` or a `*.localhost` name (RFC 6761), with any port. */
export function isLoopbackHost(header: string): boolean {
  const name = hostName(header);
  return name !== undefined && (isLoopback(name) || name.endsWith('.localhost'));
}

/** Throws `forbidden` for a request addressed to a non-loopback name or sent from another origin. */
export function refuseNonLocal(headers: Headers): void {
  const host = headers.get('host') ?? '';
  if (!isLoopbackHost(host)) {
    throw new AgentSpecError(
      ErrorCode.Forbidden,
      'This server has no API keys and answers only requests addressed to localhost, 127.0.0.1 or [::1]; set AGENTSPEC_API_KEYS to serve other names.',
      { details: { host: host.slice(0, 200) } },
    );
  }
  const origin = headers.get('origin');
  if (origin !== null && !sameHost(origin, host)) {
    throw new AgentSpecError(ErrorCode.Forbidden, 'This server has no API keys and refuses requests from web pages of other origins.', {
      details: { origin: origin.slice(0, 200) },
    });
  }
}

/** The lower-case name of a `Host` header without its port (and without the brackets of an IPv6 address). */
function hostName(header: string): string | undefined {
  const url = parseHost(header);
  if (!url) return undefined;
  const name = url.hostname.replace(/\.$/, '');
  return name.startsWith('[') ? name.slice(1, -1) : name;
}

/** True when `origin` (`http://host:port`, or `null` from a sandboxed page) names the same host and port as `host`. */
function sameHost(origin: string, host: string): boolean {
  const server = parseHost(host);
  if (!server) return false;
  try {
    return new URL(origin).host === server.host;
  } catch {
    return false;
  }
}

function parseHost(header: string): URL | undefined {
  if (header === '' || /[\s/?#@\\]/.test(header)) return undefined;
  try {
    return new URL(`http://${header}`);
  } catch {
    return undefined;
  }
}
