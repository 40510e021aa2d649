/**
 * The browser host's WebSocket framing around the IPC contract: the renderer sends numbered
 * invokes, the host answers each with its IpcResult and pushes events in between. JSON text
 * frames only.
 */
import { z } from 'zod';
import type { EventName, InvokeChannel, IpcResult } from './ipc';

/** Path of the WebSocket endpoint on the browser host. */
export const WS_PATH = '/ipc';
/** Where the page trades the printed link's one-time token (or checks a stored session) for a session. */
export const SESSION_PATH = '/session';
/** The WebSocket subprotocol the renderer speaks; the session rides along as a second one. */
export const WS_PROTOCOL = 'mailmirror';
export const WS_SESSION_PROTOCOL_PREFIX = 'mailmirror.session.';
/** The header in which mounted tools' requests (Bull Board's API) carry the session. */
export const SESSION_HEADER = 'x-mailmirror-session';
/** Where the page keeps its session: localStorage is per origin, and the origin includes the port. */
export const SESSION_STORAGE_KEY = 'mailmirror.session';

export const wsClientMessageSchema = z.strictObject({
  type: z.literal('invoke'),
  /** Chosen by the client, echoed in the answer. */
  id: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(128),
  request: z.unknown(),
});
export type WsClientMessage = { type: 'invoke'; id: number; channel: InvokeChannel; request: unknown };

export type WsServerMessage =
  | { type: 'result'; id: number; result: IpcResult<unknown> }
  | { type: 'event'; name: EventName; payload: unknown }
  /** A frame that could not be read as an invoke (no id to answer). */
  | { type: 'protocol-error'; error: { code: 'INVALID_REQUEST'; message: string } };
