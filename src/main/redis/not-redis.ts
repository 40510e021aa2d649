// What answers at a REDIS_URL that does not behave like Redis: a web server, an SSH server, a silent port. Asked
// only after a connection failed, so the user reads "an HTTP server answered" instead of "Connection is closed".
import { connect } from 'node:net';
import type { RedisOptions } from 'ioredis';

function classify(data: Buffer): string | undefined {
  const text = data.toString('latin1');
  // RESP replies (+PONG, -NOAUTH …, -DENIED …, and RESP3's types): that is Redis, and ioredis' error says what is wrong.
  if (/^[+\-:$*%_#,(=!|>~]/.test(text)) return undefined;
  const firstLine = text.split(/\r?\n/)[0].replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
  if (text.startsWith('HTTP/')) return `an HTTP server answered "${firstLine}"`;
  if (text.startsWith('SSH-')) return `an SSH server answered "${firstLine}"`;
  return `something that is not Redis answered "${firstLine}"`;
}

/**
 * A few words on what listens at `o` when it is not Redis; undefined when it speaks Redis' protocol, nothing
 * listens (the connection error says so), or it cannot be told (TLS).
 */
export function notRedisReason(o: RedisOptions, timeoutMs = 2_000): Promise<string | undefined> {
  if (o.tls) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const sock = o.path ? connect({ path: o.path }) : connect({ host: o.host ?? '127.0.0.1', port: o.port ?? 6379 });
    let data = Buffer.alloc(0);
    let connected = false;
    const done = (reason: string | undefined): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => {
      done(data.length > 0 ? classify(data) : `something listens there but does not answer PING within ${timeoutMs / 1000} s: it is not Redis`);
    }, timeoutMs);
    sock.on('connect', () => {
      connected = true;
      sock.write('PING\r\n');
    });
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (data.includes(0x0a) || data.length > 256) done(classify(data));
    });
    sock.on('error', () => done(undefined));
    sock.on('close', () => {
      if (data.length > 0) done(classify(data));
      else done(connected ? 'something listens there but closed the connection without answering PING: it is not Redis (or a TLS-only Redis: use rediss://)' : undefined);
    });
  });
}
