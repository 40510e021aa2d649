import Database from 'better-sqlite3'; // allowed: db/ owns SQLite
import { sql } from 'drizzle-orm'; // allowed
import { worker } from '../sync/worker'; // db-is-the-bottom (db → sync)
export const db = [Database, sql, worker];
