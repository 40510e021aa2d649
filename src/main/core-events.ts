// In-process push events from the core to whoever shows them (the IPC router, the CLI). One
// vocabulary from the sync engine to the wire: the names are the contract's event names
// (src/shared/ipc.ts `ipcEvents`); the payloads carry ids only, and the router reads what changed.
import { EventEmitter } from 'node:events';

export type CoreEventMap = {
  /** Stored sync progress or phase of an account changed (the router sends its SyncStatus). */
  'sync:progress': { accountId: number };
  /** An account was added, removed or changed state. */
  'accounts:changed': { accountId?: number };
  /** Labels or label counts of an account changed. */
  'labels:changed': { accountId: number };
  /** Messages of an account were added, removed or relabelled (labelIds: which, if known). */
  'messages:changed': { accountId: number; labelIds?: string[] };
  /** A running export of an account moved on (the contract's `export:progress`). */
  'export:progress': { accountId: number; phase: 'fetching' | 'writing' | 'ended'; done: number; total: number; bytes: number };
};

export type CoreEventName = keyof CoreEventMap;

type Listeners = { [K in CoreEventName]: [CoreEventMap[K]] };

export class CoreEvents extends EventEmitter<Listeners> {}
