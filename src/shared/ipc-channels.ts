/**
 * The names of the IPC contract, and nothing else, so the sandboxed preload can build
 * `window.mailmirror` from them without bundling the schemas. `ipc.ts` is checked against these
 * lists at compile time (a channel missing from either side fails to type-check).
 */

/** Request/response channels, `'<domain>:<verb>'`. */
export const INVOKE_CHANNELS = [
  'app:info',
  'accounts:list',
  'accounts:connect',
  'accounts:connectResult',
  'accounts:connectCancel',
  'accounts:connectDemo',
  'accounts:remove',
  'sync:now',
  'sync:status',
  'labels:list',
  'messages:list',
  'messages:get',
  'messages:search',
  'threads:list',
  'threads:get',
  'attachments:download',
  'messages:original',
  'messages:source',
  'export:defaults',
  'accounts:export',
  'accounts:exportCancel',
  'settings:get',
  'settings:set',
  'client:status',
  'client:set',
  'client:clear',
  'store:rebuild',
] as const;

/** Events pushed from main to the renderer. */
export const EVENT_CHANNELS = ['sync:progress', 'accounts:changed', 'labels:changed', 'messages:changed', 'export:progress'] as const;

export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];
export type EventName = (typeof EVENT_CHANNELS)[number];

const invokeSet: ReadonlySet<string> = new Set(INVOKE_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export function isInvokeChannel(v: unknown): v is InvokeChannel {
  return typeof v === 'string' && invokeSet.has(v);
}

export function isEventName(v: unknown): v is EventName {
  return typeof v === 'string' && eventSet.has(v);
}
