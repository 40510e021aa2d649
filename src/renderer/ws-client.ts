// window.mailmirror over the browser host's WebSocket: the same MailmirrorApi the Electron
// preload exposes, so nothing above this file knows which transport it has.
import { isEventName, type EventName, type EventPayload, type InvokeChannel, type IpcResult, type MailmirrorApi, type RequestOf, type ResponseOf } from '../shared/ipc';
import { WS_PATH, type WsClientMessage, type WsServerMessage } from '../shared/ipc-wire';

type Pending = (result: IpcResult<unknown>) => void;
type Listener = (payload: unknown) => void;

const UNAVAILABLE: IpcResult<never> = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'Lost the connection to Mailmirror. Reconnecting…' },
};

export function createWsClient(url: string): MailmirrorApi {
  let ws: WebSocket | null = null;
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

  const connect = () => {
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      retryMs = 250;
      for (const frame of queue.splice(0)) sock.send(frame);
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
      for (const p of pending.values()) p(UNAVAILABLE);
      pending.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
      return new Promise((resolve) => {
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

export function wsUrlFor(loc: Location, token: string | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${loc.host}${WS_PATH}${q}`;
}
