// The store's public surface: open the database, then call the repositories with it.
export * from './client';
export * from './errors';
export * from './accounts';
export * from './labels';
export * from './messages';
export * from './sync-runs';
export * from './maintenance';
export * from './store-health';
export * as schema from './schema';
export type { Account, Label, Message } from './schema';
