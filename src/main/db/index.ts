// The store's public surface: open the database, then call the repositories with it. Only src/main/db imports
// better-sqlite3 or drizzle-orm; everything else goes through these functions.
export * from './client';
export * from './errors';
export * from './accounts';
export * from './tokens';
export * from './quota-profiles';
export * from './labels';
export { fetchedWithLabel, setLabelMembership } from './message-labels';
export * from './stubs';
export * from './message-details';
export * from './history';
export * from './message-queries';
export * from './thread-queries';
export * from './search';
export * from './export';
export * from './sync-runs';
export * from './maintenance';
export * from './store-health';
export { transaction } from './internal';
export * as schema from './schema';
export type { Account, Attachment, Label, Message, SyncRun } from './schema';
