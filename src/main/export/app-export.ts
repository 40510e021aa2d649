// An account's export as the app ("Export account…", `accounts:export`) and `mailmirror export --format mbox|eml`
// run it: the originals read through a read-only connection of its own, inside one read transaction — a snapshot of
// the store, so the sync keeps writing meanwhile and the export holds the mirror as it was when it began — written
// by export-account.ts to the path given.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { databaseFile, openDatabaseReadOnly } from '../db/client';
import { listLabels } from '../db/labels';
import { iterateSources } from '../db/sources';
import { countProgress } from '../db/stubs';
import { InvalidRequestError } from '../ipc/errors';
import { exportSources, type ExportFormat, type ExportOptions, type ExportResult } from './export-account';

/** Where an export goes unless the user says otherwise: the Downloads folder (the home folder without one). */
export function exportDefaultPaths(email: string, now = new Date(), home = homedir()): { mbox: string; eml: string } {
  const downloads = join(home, 'Downloads');
  const folder = existsSync(downloads) ? downloads : home;
  const day = now.toISOString().slice(0, 10);
  const base = `Mailmirror ${email.replace(/[^A-Za-z0-9@._+-]/g, '_')} ${day}`;
  return { mbox: join(folder, `${base}.mbox`), eml: join(folder, base) };
}

export type AccountExportRequest = {
  accountId: number;
  format: ExportFormat;
  /** Absolute: the app's working folder means nothing to its user (the CLI resolves the user's path first). */
  path: string;
  force: boolean;
  /** How many messages the export reads (those of its snapshot), told once before the first is written. */
  onTotal?: (messages: number) => void;
} & Pick<ExportOptions, 'signal' | 'onProgress' | 'stream'>;

export async function exportAccountFromCore(dataDir: string, req: AccountExportRequest): Promise<ExportResult> {
  if (!req.stream && !isAbsolute(req.path)) throw new InvalidRequestError(`Give the whole path to export to (from / or a drive), not "${req.path}"`);
  const db = openDatabaseReadOnly(databaseFile(dataDir));
  try {
    // One transaction over the whole export: every message and label as of one moment, however long it takes.
    db.sqlite.prepare('BEGIN').run();
    try {
      const labelNames = new Map(listLabels(db, req.accountId).map((l) => [l.id, l.name]));
      req.onTotal?.(countProgress(db, req.accountId).fetched);
      return await exportSources(iterateSources(db, req.accountId), {
        format: req.format,
        path: req.path,
        force: req.force,
        labelNames,
        signal: req.signal,
        onProgress: req.onProgress,
        stream: req.stream,
      });
    } finally {
      db.sqlite.prepare('ROLLBACK').run();
    }
  } finally {
    db.close();
  }
}
