// User settings: the choices the user made, kept in a small JSON file in the data folder (written
// atomically), over defaults that come from the config. Only choices are saved, so a default
// changed later (MAILMIRROR_SYNC_INTERVAL_MS, a new release) applies to whatever the user never set.
// Whoever needs a setting reads it here, in any process: the app, `serve`, a `worker`, the CLI.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsSchema, type Settings } from '../shared/ipc';
import type { AppConfig } from './config';

type SettingsConfig = Pick<AppConfig, 'dataDir' | 'syncIntervalMs'>;

const file = (dataDir: string) => join(dataDir, 'settings.json');

/** What applies where the user chose nothing. */
export function defaultSettings(config: Pick<AppConfig, 'syncIntervalMs'>): Settings {
  return {
    syncIntervalSeconds: Math.max(30, Math.round(config.syncIntervalMs / 1000)),
    includeSpamTrash: true,
    remoteImages: 'ask',
    imagesAllowedFrom: [],
    readingPane: 'right',
    sidebarWidth: null,
    listWidth: null,
    listHeight: null,
    conversations: true,
    keepOriginals: 'all',
    attachmentCapMb: 25,
  };
}

/** The user's cap on attachments kept in the mirror, in bytes; null: every one is kept. */
export function attachmentCapBytes(settings: Pick<Settings, 'keepOriginals' | 'attachmentCapMb'>): number | null {
  return settings.keepOriginals === 'capped' ? settings.attachmentCapMb * 1_000_000 : null;
}

/** The choices the user saved (each field checked on its own: one bad field does not lose the others). */
export function savedChoices(dataDir: string): Partial<Settings> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file(dataDir), 'utf8'));
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const out: Partial<Settings> = {};
  for (const key of Object.keys(settingsSchema.shape) as (keyof Settings)[]) {
    const parsed = settingsSchema.shape[key].safeParse((raw as Record<string, unknown>)[key]);
    if (parsed.success) Object.assign(out, { [key]: parsed.data });
  }
  return out;
}

export function loadSettings(config: SettingsConfig): Settings {
  return { ...defaultSettings(config), ...savedChoices(config.dataDir) };
}

/** Saves a change of the user's choices; answers the settings now in effect. */
export function saveChoices(config: SettingsConfig, patch: Partial<Settings>): Settings {
  const choices = { ...savedChoices(config.dataDir), ...patch };
  writeFileSync(`${file(config.dataDir)}.tmp`, JSON.stringify(choices, null, 2), { mode: 0o600 });
  renameSync(`${file(config.dataDir)}.tmp`, file(config.dataDir));
  return { ...defaultSettings(config), ...choices };
}

/**
 * How often an account's incremental sync runs: the user's choice when they made one, else the config's
 * default (which, unlike the setting, may be under 30 s: tests and benchmarks use short intervals).
 */
export function syncIntervalMs(config: SettingsConfig): number {
  const chosen = savedChoices(config.dataDir).syncIntervalSeconds;
  return chosen !== undefined ? chosen * 1000 : config.syncIntervalMs;
}
