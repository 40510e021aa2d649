// Telling a network failure (refused, DNS, reset, TLS) from an answer, and naming the endpoint
// without its path or query (a revoke URL carries a token). Light on purpose: the CLI's error
// reporting loads it for every command.
import { MailmirrorError } from '../errors';

/** A network failure talking to an endpoint (connection refused, DNS, reset, TLS). */
export class EndpointUnreachableError extends MailmirrorError {
  readonly code = 'ENDPOINT_UNREACHABLE';
  readonly ipcCode = 'OFFLINE';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

export type HttpishError = { code?: unknown; cause?: unknown; response?: { status?: number; data?: unknown } };

/** The system error code of a network failure anywhere in an error's cause chain, if any. */
export function networkErrorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 5; depth++) {
    const err = cur as HttpishError;
    if (typeof err.code === 'string' && NETWORK_CODES.has(err.code)) return err.code;
    cur = err.cause;
  }
  if (e instanceof Error && !(e as HttpishError).response && /fetch failed|socket hang up/i.test(e.message)) return 'ENETWORK';
  return undefined;
}

/** Where a URL points, without its path or query (which may carry a token). */
export function describeEndpoint(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured endpoint';
  }
}

export function unreachable(what: string, url: string, code: string): EndpointUnreachableError {
  return new EndpointUnreachableError(`cannot reach the ${what} at ${describeEndpoint(url)} (${code})`);
}
