// In-process push events from the sync engine to whoever shows them (CLI progress bar, IPC router).
import { EventEmitter } from 'node:events';

export type SyncEventMap = {
  /** Stored progress of an account changed (messages fetched, listing advanced, phase changed). */
  progress: [{ accountId: number }];
  /** Labels or their counts changed. */
  labels: [{ accountId: number }];
  /** Messages were added, changed or removed in the mirror. */
  messages: [{ accountId: number }];
  /** Account state changed (synced, needs reconnect, error). */
  account: [{ accountId: number }];
};

export class SyncEvents extends EventEmitter<SyncEventMap> {}
