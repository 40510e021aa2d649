// The renderer's one door to main: window.mailmirror from the Electron preload when present,
// else the browser host's WebSocket. `call` unwraps the contract's IpcResult into a value or an
// ApiError, and tracks whether main is reachable for the offline indicator.
import type { EventName, EventPayload, InvokeChannel, IpcError, IpcErrorCode, MailmirrorApi, RequestOf, ResponseOf } from '../shared/ipc';
import { createWsClient, wsUrlFor } from './ws-client';

declare global {
  interface Window {
    mailmirror?: MailmirrorApi;
  }
}

export class ApiError extends Error {
  readonly code: IpcErrorCode;
  readonly issues: IpcError['issues'];
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.issues = error.issues;
  }
}

function pickTransport(): MailmirrorApi {
  if (window.mailmirror) return window.mailmirror;
  // The browser host put its secret in the URL; the cookie it set keeps reloads working, so the
  // token leaves the address bar (and history, and screenshots) at once.
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  }
  return createWsClient(wsUrlFor(location, token));
}

const api = pickTransport();

type ReachListener = (reachable: boolean) => void;
const reachListeners = new Set<ReachListener>();
let reachable = true;

function setReachable(v: boolean) {
  if (v === reachable) return;
  reachable = v;
  for (const l of reachListeners) l(v);
}

export function onReachabilityChange(fn: ReachListener): () => void {
  reachListeners.add(fn);
  return () => {
    reachListeners.delete(fn);
  };
}

export function isReachable(): boolean {
  return reachable;
}

export async function call<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = await api.invoke(channel, request);
  if (result.ok) {
    setReachable(true);
    return result.value;
  }
  setReachable(result.error.code !== 'UNAVAILABLE');
  throw new ApiError(result.error);
}

export function onEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return api.on(event, (payload) => {
    setReachable(true);
    listener(payload);
  });
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
