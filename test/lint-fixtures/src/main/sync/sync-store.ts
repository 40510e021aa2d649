import type Database from 'better-sqlite3'; // only-db-touches-sqlite (type-only counts)
export type Store = Database.Database;
