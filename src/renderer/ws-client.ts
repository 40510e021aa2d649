// window.mailmirror over the browser host's WebSocket: the same MailmirrorApi the Electron
// preload exposes, so nothing above this file knows which transport it has.
import { isEventName, type EventName, type EventPayload, type InvokeChannel, type IpcResult, type MailmirrorApi, type RequestOf, type ResponseOf } from '../shared/ipc';
import type { SessionResult } from './browser-session';
import { WS_PATH, WS_PROTOCOL, WS_SESSION_PROTOCOL_PREFIX, type WsClientMessage, type WsServerMessage } from '../shared/ipc-wire';

type Pending = (result: IpcResult<unknown>) => void;
type Listener = (payload: unknown) => void;

const UNAVAILABLE: IpcResult<never> = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'Lost the connection to Mailmirror. Reconnecting…' },
};

/** How the client gets (and re-checks) its session, and whom it tells when the host refuses it. */
export type WsAuth = {
  session(): Promise<SessionResult>;
  recheck(): Promise<SessionResult>;
  onDenied(message: string): void;
  /** The link to the host opened (true) or was lost (false): an idle window learns of a stopped host at once. */
  onConnectionChange?(up: boolean): void;
};

export function createWsClient(url: string, auth: WsAuth): MailmirrorApi {
  let ws: WebSocket | null = null;
  /** Set once the host refused this page's session for good: every call answers FORBIDDEN. */
  let denied: IpcResult<never> | null = null;
  /** The last handshake failed: the session may have died with an earlier run of the host. */
  let recheck = false;
  let nextId = 1;
  let everOpened = false;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventName, Set<Listener>>();

  const dispatch = (name: EventName, payload: unknown) => {
    for (const l of listeners.get(name) ?? []) {
      try {
        l(payload);
      } catch (e) {
        console.error(e);
      }
    }
  };

  const retry = () => {
    setTimeout(() => void connect(), retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };

  const connect = async () => {
    const s = await (recheck ? auth.recheck() : auth.session());
    if (!s.ok) {
      if (s.unreachable) {
        for (const p of pending.values()) p(UNAVAILABLE);
        pending.clear();
        queue.length = 0;
        retry();
        return;
      }
      denied = { ok: false, error: { code: 'FORBIDDEN', message: s.message } };
      for (const p of pending.values()) p(denied);
      pending.clear();
      queue.length = 0;
      auth.onDenied(s.message);
      return;
    }
    // The session rides as a second subprotocol: browsers cannot set headers on a WebSocket, and a
    // query string would end up in logs. The host answers with the plain protocol only.
    const sock = new WebSocket(url, [WS_PROTOCOL, `${WS_SESSION_PROTOCOL_PREFIX}${s.session}`]);
    let opened = false;
    ws = sock;
    sock.onopen = () => {
      opened = true;
      recheck = false;
      retryMs = 250;
      for (const frame of queue.splice(0)) sock.send(frame);
      auth.onConnectionChange?.(true);
      // After a reconnect everything may have changed meanwhile: let the UI re-read.
      if (everOpened) dispatch('accounts:changed', {});
      everOpened = true;
    };
    sock.onmessage = (e: MessageEvent) => {
      let msg: WsServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'result') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        p?.(msg.result);
      } else if (msg.type === 'event' && isEventName(msg.name)) {
        dispatch(msg.name, msg.payload);
      }
    };
    sock.onclose = () => {
      if (ws === sock) ws = null;
      if (opened) auth.onConnectionChange?.(false);
      for (const p of pending.values()) p(UNAVAILABLE);
      pending.clear();
      // Their callers were just told; never send those frames later.
      queue.length = 0;
      recheck = !opened;
      retry();
    };
  };
  void connect();

  return {
    invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
      return new Promise((resolve) => {
        if (denied) return resolve(denied);
        const id = nextId++;
        const frame = JSON.stringify({ type: 'invoke', id, channel, request } satisfies WsClientMessage);
        if (ws && ws.readyState === WebSocket.OPEN) {
          pending.set(id, resolve as Pending);
          ws.send(frame);
        } else if (!everOpened || (ws && ws.readyState === WebSocket.CONNECTING)) {
          pending.set(id, resolve as Pending);
          queue.push(frame);
        } else {
          resolve(UNAVAILABLE);
        }
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as Listener;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
  };
}

export function wsUrlFor(loc: Location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${WS_PATH}`;
}
