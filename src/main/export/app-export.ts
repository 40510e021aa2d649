// "Export account…" in the app: the same export as `mailmirror export` (export-account.ts), read through a
// connection of its own — a read-only snapshot of the store, so the sync keeps writing meanwhile and the export
// holds the mirror as it was when it began — into the path the user chose.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedError } from '../ipc/errors';

/** Where an export goes unless the user says otherwise: the Downloads folder (the home folder without one). */
export function exportDefaultPaths(email: string, now = new Date(), home = homedir()): { mbox: string; eml: string } {
  const downloads = join(home, 'Downloads');
  const folder = existsSync(downloads) ? downloads : home;
  const day = now.toISOString().slice(0, 10);
  const base = `Mailmirror ${email.replace(/[^A-Za-z0-9@._+-]/g, '_')} ${day}`;
  return { mbox: join(folder, `${base}.mbox`), eml: join(folder, base) };
}

export async function exportAccountFromCore(
  _dataDir: string,
  _req: { accountId: number; format: 'mbox' | 'eml'; path: string; force: boolean },
): Promise<{ path: string; messages: number; bytes: number; skipped: number }> {
  // BRANCH ONLY (i13-copies): the export itself lands with branch i13-export (export-account.ts).
  throw new UnsupportedError('Export is not in this build yet');
}
