import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { GmailAccess } from '../gmail/gmail-access';
import type { SyncQueues } from '../queues/sync-queues';
import type { Logger } from '../log';
import type { CoreEvents } from '../core-events';

/** What every processor gets besides its job: real store, real Gmail access, real queues. */
export type SyncDeps = {
  db: Db;
  config: AppConfig;
  gmail: GmailAccess;
  queues: SyncQueues;
  events: CoreEvents;
  log: Logger;
};
