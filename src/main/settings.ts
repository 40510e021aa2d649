// User settings, kept in a small JSON file in the data folder (written atomically).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsSchema, type Settings } from '../shared/ipc';

export const DEFAULT_SETTINGS: Settings = { syncIntervalSeconds: 60, includeSpamTrash: true, remoteImages: 'ask' };

export function loadSettings(dataDir: string, defaults: Settings = DEFAULT_SETTINGS): Settings {
  try {
    const parsed = settingsSchema.partial().safeParse(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')));
    return parsed.success ? { ...defaults, ...parsed.data } : defaults;
  } catch {
    return defaults;
  }
}

export function saveSettings(dataDir: string, s: Settings): void {
  const file = join(dataDir, 'settings.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
