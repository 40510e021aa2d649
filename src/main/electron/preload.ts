// The sandboxed preload: exposes exactly the IPC contract as `window.mailmirror` and nothing
// else — invoke only for the contract's channel names, events only for its event names. Bundled
// by scripts/build.mjs into one CommonJS file (a sandboxed preload may only require 'electron').
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventName, isInvokeChannel } from '../../shared/ipc-channels';
import type { EventName, EventPayload, InvokeChannel, IpcResult, MailmirrorApi, RequestOf, ResponseOf } from '../../shared/ipc';

const api = {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<IpcResult<ResponseOf<C>>> {
    if (!isInvokeChannel(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'INVALID_REQUEST', message: 'Unknown channel' } });
    }
    return ipcRenderer.invoke(channel, request) as Promise<IpcResult<ResponseOf<C>>>;
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new Error('Unknown event');
    // The renderer never sees Electron's event object (it carries the sender).
    const wrapped = (_e: IpcRendererEvent, payload: EventPayload<E>) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
} satisfies MailmirrorApi;

contextBridge.exposeInMainWorld('mailmirror', api);
