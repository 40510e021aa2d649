import { app } from '../src/renderer/app'; // nothing-imports-renderer
import { sql } from 'drizzle-orm'; // only-db-touches-sqlite (bench too)
export const run = [app, sql];
