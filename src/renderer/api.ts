// The renderer's one door to main: window.mailmirror from the Electron preload when present,
// else the browser host's WebSocket. `call` unwraps the contract's IpcResult into a value or an
// ApiError, and tracks whether main is reachable for the offline indicator.
import type { EventName, EventPayload, InvokeChannel, IpcError, IpcErrorCode, MailmirrorApi, RequestOf, ResponseOf } from '../shared/ipc';
import { browserSession, recheckSession } from './browser-session';
import { plainError } from './lib/error-words';
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

type AccessListener = (message: string) => void;
const accessListeners = new Set<AccessListener>();

/** Called when the browser host refuses this page (no valid link or session): show how to get in. */
export function onAccessDenied(fn: AccessListener): () => void {
  accessListeners.add(fn);
  return () => {
    accessListeners.delete(fn);
  };
}

function pickTransport(): MailmirrorApi {
  if (window.mailmirror) return window.mailmirror;
  return createWsClient(wsUrlFor(location), {
    session: browserSession,
    recheck: recheckSession,
    onDenied: (message) => {
      for (const l of accessListeners) l(message);
    },
    onConnectionChange: (up) => setReachable(up),
  });
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

/**
 * An error as a user reads it: what happened and the next step, in plain words (lib/error-words), never the
 * core's codes or internals. Screens with room for them show those under "Details" with <ErrorNotice>.
 */
export function errorMessage(e: unknown): string {
  const p = plainError(e);
  return p.next ? `${p.text} ${p.next}` : p.text;
}
