// The IPC router: one handler per contract channel, typed against the contract (a missing or
// misspelled handler fails to compile), and one handle() wrapper every transport goes through —
// it validates the request, runs the handler, validates the answer and turns anything thrown into
// the contract's error shape. Core events are throttled per account and fanned out to listeners.
import { randomUUID } from 'node:crypto';
import {
  ORIGINAL_TEXT_MAX,
  ipcChannels,
  ipcEvents,
  isInvokeChannel,
  type EventName,
  type EventPayload,
  type HandlerResponseOf,
  type InvokeChannel,
  type IpcResult,
  type ParsedRequestOf,
  type RequestOf,
  type ResponseOf,
} from '../../shared/ipc';
import { safeFileName } from '../../shared/safe-text';
import { ContractViolationError, InvalidRequestError, NotFoundError, UnsupportedError, requestErrorFromZod, toIpcError } from './errors';
import { KeyedThrottle } from './event-throttle';
import type { AppServices, CoreEventMap, CoreEventName } from './services';

/** Who is calling: both transports look the same to handlers; this is for logs. */
export type CallContext = { transport: 'electron' | 'websocket' | 'direct' };

type Handler<C extends InvokeChannel> = (
  request: ParsedRequestOf<C>,
  ctx: CallContext,
) => Promise<HandlerResponseOf<C>> | HandlerResponseOf<C>;

/** One handler per channel: TypeScript rejects a missing, extra or misspelled key. */
export type HandlerMap = { [C in InvokeChannel]: Handler<C> };

export type IpcEventMessage = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
export type IpcEventListener = (event: IpcEventMessage) => void;

/** Matches pino's Logger, so the app's logger can be passed as is. */
export type RouterLog = { warn(obj: object, msg?: string): void };

export type RouterOptions = {
  log?: RouterLog;
  /** Minimum spacing of each event per account (ms). */
  throttleMs?: Partial<Record<EventName, number>>;
};

export interface IpcRouter {
  /** The one entry point of every transport: never throws, always answers an IpcResult. */
  handle(channel: unknown, request: unknown, ctx?: CallContext): Promise<IpcResult<unknown>>;
  /** Typed convenience over handle() for in-process callers and tests. */
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>, ctx?: CallContext): Promise<IpcResult<ResponseOf<C>>>;
  /** Receives every (throttled) event; returns the unsubscribe function. */
  subscribe(listener: IpcEventListener): () => void;
  /** Stops event forwarding and abandons open connect flows. */
  close(): void;
}

/** ~5 progress updates a second per account is smooth for a progress bar and cheap to render. */
export const DEFAULT_THROTTLE_MS: Record<EventName, number> = {
  'sync:progress': 200,
  'accounts:changed': 250,
  'labels:changed': 500,
  'messages:changed': 500,
  'export:progress': 200,
};

const DEFAULT_PAGE = 100;
/** A connect flow nobody collects is forgotten after this long. */
const FLOW_RETENTION_MS = 10 * 60_000;

type ConnectFlow = { done: Promise<{ email: string }>; abort: AbortController; timer: NodeJS.Timeout | null };

export function createRouter(services: AppServices, opts: RouterOptions = {}): IpcRouter {
  const log = opts.log;
  const flows = new Map<string, ConnectFlow>();
  const listeners = new Set<IpcEventListener>();
  let closed = false;

  const forgetFlow = (flowId: string) => {
    const f = flows.get(flowId);
    if (f?.timer) clearTimeout(f.timer);
    flows.delete(flowId);
  };

  const handlers: HandlerMap = {
    'app:info': () => {
      const storeDamaged = services.storeDamageMessage?.() ?? null;
      return { version: services.version, demoAvailable: typeof services.connectDemo === 'function', ...(storeDamaged ? { storeDamaged } : {}) };
    },

    'accounts:list': () => services.mirror.accounts(),

    'accounts:connect': async () => {
      const flowId = randomUUID();
      const abort = new AbortController();
      let gotUrl: (url: string) => void = () => undefined;
      const url = new Promise<string>((resolve) => {
        gotUrl = resolve;
      });
      const done = services.connectAccount({ openUrl: (u) => gotUrl(u), signal: abort.signal });
      // Collected by accounts:connectResult; until then a rejection must not go unhandled.
      done.catch(() => undefined);
      const flow: ConnectFlow = { done, abort, timer: null };
      flows.set(flowId, flow);
      const settle = () => {
        flow.timer = setTimeout(() => forgetFlow(flowId), FLOW_RETENTION_MS);
        flow.timer.unref?.();
      };
      done.then(settle, settle);
      try {
        const authUrl = await Promise.race([
          url,
          done.then(() => {
            throw new ContractViolationError('the connect flow finished without a consent URL');
          }),
        ]);
        return { flowId, authUrl };
      } catch (e) {
        forgetFlow(flowId);
        throw e;
      }
    },

    'accounts:connectResult': async ({ flowId }) => {
      const flow = flows.get(flowId);
      if (!flow) throw new NotFoundError('No sign-in is in progress with that id');
      try {
        return await flow.done;
      } finally {
        forgetFlow(flowId);
      }
    },

    'accounts:connectCancel': ({ flowId }) => {
      flows.get(flowId)?.abort.abort();
      return null;
    },

    'accounts:connectDemo': async () => {
      if (!services.connectDemo) throw new UnsupportedError('The demo mailbox is not available in this build');
      return services.connectDemo();
    },

    'accounts:remove': async ({ accountId }) => {
      services.mirror.requireAccount(accountId);
      await services.removeAccount(accountId);
      return null;
    },

    'sync:now': async ({ accountId, full }) => {
      services.mirror.requireAccount(accountId);
      await services.syncNow(accountId, { full });
      return null;
    },

    'sync:status': async ({ accountId }) => {
      services.mirror.requireAccount(accountId);
      return services.syncStatus(accountId);
    },

    'labels:list': ({ accountId }) => services.mirror.labels(accountId),

    'messages:list': ({ accountId, labelId, cursor, limit }) =>
      services.mirror.messagePage({ accountId, labelId, cursor: cursor ?? null, limit: limit ?? DEFAULT_PAGE }),

    'messages:get': ({ accountId, messageId }) => services.mirror.message(accountId, messageId),

    'messages:search': ({ accountId, query, cursor, limit, order }) =>
      services.mirror.searchPage({ accountId, query, cursor: cursor ?? null, limit: limit ?? DEFAULT_PAGE, order }),

    'threads:list': ({ accountId, labelId, cursor, limit }) =>
      services.mirror.threadPage({ accountId, labelId, cursor: cursor ?? null, limit: limit ?? DEFAULT_PAGE }),

    'threads:get': ({ accountId, threadId, labelId }) => services.mirror.thread(accountId, threadId, labelId ?? null),

    'attachments:download': async ({ accountId, messageId, attachmentId }) => {
      const ref = services.mirror.attachmentRef(accountId, messageId, attachmentId);
      const data = await services.fetchAttachment(ref);
      return {
        // The name a sender chose is saved as a file: no bidi tricks, controls or path in it.
        filename: safeFileName(ref.filename),
        mimeType: ref.mimeType ?? 'application/octet-stream',
        size: data.byteLength,
        dataBase64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
      };
    },

    'messages:original': async ({ accountId, messageId }) => {
      const bytes = await services.messageSource(accountId, messageId);
      // Bytes that are not UTF-8 (8-bit mail in another charset) show as U+FFFD; Save as .eml has them as they are.
      const text = bytes.toString('utf8', 0, Math.min(bytes.length, ORIGINAL_TEXT_MAX * 4));
      const truncated = text.length > ORIGINAL_TEXT_MAX || bytes.length > ORIGINAL_TEXT_MAX * 4;
      return { size: bytes.length, text: truncated ? text.slice(0, ORIGINAL_TEXT_MAX) : text, truncated };
    },

    'messages:source': async ({ accountId, messageId }) => {
      const subject = services.mirror.message(accountId, messageId).subject?.trim();
      const bytes = await services.messageSource(accountId, messageId);
      return { filename: `${safeFileName(subject || 'message').slice(0, 120)}.eml`, size: bytes.length, dataBase64: bytes.toString('base64') };
    },

    'export:defaults': ({ accountId }) => services.exportDefaults(accountId),

    'accounts:export': ({ accountId, format, path, force }) => services.exportAccount({ accountId, format, path, force: force ?? false }),

    'accounts:exportCancel': async ({ accountId }) => ({ stopped: await services.cancelExport(accountId) }),

    'settings:get': () => services.getSettings(),

    'settings:set': (patch) => services.setSettings(patch),

    'client:status': () => services.clientStatus(),

    'client:set': ({ json, name, clientId, clientSecret }) =>
      services.setClient(json !== undefined ? { json, name } : { clientId: clientId ?? '', clientSecret: clientSecret ?? '' }),

    'client:clear': () => services.clearClient(),

    'store:rebuild': async () => {
      if (!services.rebuildStore) throw new UnsupportedError('This build cannot rebuild the mailbox database');
      return services.rebuildStore();
    },
  };

  async function run<C extends InvokeChannel>(channel: C, raw: unknown, ctx: CallContext): Promise<IpcResult<ResponseOf<C>>> {
    const def = ipcChannels[channel];
    const parsed = def.request.safeParse(raw);
    if (!parsed.success) return { ok: false, error: toIpcError(requestErrorFromZod(channel, parsed.error)) };
    try {
      // The map is indexed by the same C: TypeScript cannot correlate the two lookups itself.
      const handler = handlers[channel] as Handler<C>;
      const value = await handler(parsed.data as ParsedRequestOf<C>, ctx);
      const checked = def.response.safeParse(value);
      if (!checked.success) {
        log?.warn({ channel, issues: checked.error.issues.slice(0, 5) }, 'ipc response outside the contract');
        throw new ContractViolationError(`${channel} answered outside the contract`);
      }
      return { ok: true, value: checked.data as ResponseOf<C> };
    } catch (e) {
      const error = toIpcError(e);
      if (error.code === 'DB_DAMAGED') services.reportStoreError?.(e);
      if (error.code === 'INTERNAL') log?.warn({ channel, transport: ctx.transport, err: error.message }, 'ipc handler failed');
      return { ok: false, error };
    }
  }

  // ---- events: nudges from the core, throttled per account, fanned out to every transport.

  const fanOut = (event: IpcEventMessage) => {
    const schema = ipcEvents[event.name];
    const checked = schema.safeParse(event.payload);
    if (!checked.success) {
      log?.warn({ event: event.name }, 'ipc event outside the contract dropped');
      return;
    }
    for (const l of listeners) {
      try {
        l({ name: event.name, payload: checked.data } as IpcEventMessage);
      } catch (e) {
        log?.warn({ event: event.name, err: e instanceof Error ? e.message : String(e) }, 'ipc event listener failed');
      }
    }
  };

  const throttle = (name: EventName) => opts.throttleMs?.[name] ?? DEFAULT_THROTTLE_MS[name];
  const keyOf = (p: { accountId?: number }) => String(p.accountId ?? 'all');

  const progress = new KeyedThrottle<CoreEventMap['sync:progress']>({
    intervalMs: throttle('sync:progress'),
    emit: ({ accountId }) => {
      services.syncStatus(accountId).then(
        (status) => {
          if (!closed) fanOut({ name: 'sync:progress', payload: status });
        },
        (e: unknown) => log?.warn({ accountId, err: toIpcError(e).message }, 'sync status for progress event failed'),
      );
    },
  });
  const accountsChanged = new KeyedThrottle<CoreEventMap['accounts:changed']>({
    intervalMs: throttle('accounts:changed'),
    emit: (payload) => fanOut({ name: 'accounts:changed', payload }),
  });
  const labelsChanged = new KeyedThrottle<CoreEventMap['labels:changed']>({
    intervalMs: throttle('labels:changed'),
    emit: (payload) => fanOut({ name: 'labels:changed', payload }),
  });
  const messagesChanged = new KeyedThrottle<CoreEventMap['messages:changed']>({
    intervalMs: throttle('messages:changed'),
    // Merged bursts name every label touched; "unknown" (no list) wins over any list.
    merge: (a, b) => ({
      accountId: b.accountId,
      labelIds: a.labelIds && b.labelIds ? [...new Set([...a.labelIds, ...b.labelIds])] : undefined,
    }),
    emit: (payload) => fanOut({ name: 'messages:changed', payload }),
  });

  const exportProgress = new KeyedThrottle<CoreEventMap['export:progress']>({
    intervalMs: throttle('export:progress'),
    emit: (payload) => fanOut({ name: 'export:progress', payload }),
  });

  const subscriptions: (() => void)[] = [];
  const on = <K extends CoreEventName>(name: K, fn: (p: CoreEventMap[K]) => void) => {
    subscriptions.push(services.onEvent(name, fn));
  };
  on('sync:progress', (p) => progress.push(keyOf(p), p));
  on('accounts:changed', (p) => accountsChanged.push(keyOf(p), p));
  on('labels:changed', (p) => labelsChanged.push(keyOf(p), p));
  on('messages:changed', (p) => messagesChanged.push(keyOf(p), p));
  on('export:progress', (p) => exportProgress.push(keyOf(p), p));

  async function handle(channel: unknown, request: unknown, ctx: CallContext = { transport: 'direct' }): Promise<IpcResult<unknown>> {
    if (closed) return { ok: false, error: { code: 'UNAVAILABLE', message: 'Mailmirror is shutting down' } };
    if (!isInvokeChannel(channel)) {
      const name = typeof channel === 'string' ? channel.slice(0, 64) : typeof channel;
      return { ok: false, error: toIpcError(new InvalidRequestError(`Unknown channel: ${name}`)) };
    }
    return run(channel, request, ctx);
  }

  return {
    handle,
    invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>, ctx?: CallContext) {
      return handle(channel, request, ctx) as Promise<IpcResult<ResponseOf<C>>>;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      for (const unsub of subscriptions) unsub();
      for (const t of [progress, accountsChanged, labelsChanged, messagesChanged, exportProgress]) t.close();
      for (const [id, f] of flows) {
        f.abort.abort();
        forgetFlow(id);
      }
      listeners.clear();
    },
  };
}
