// Writing what commands print: lines, JSON, aligned tables, and files replaced atomically.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeLine(out: NodeJS.WritableStream, line = ''): void {
  out.write(`${line}\n`);
}

export function writeJson(out: NodeJS.WritableStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

const WIDE = /[\p{Extended_Pictographic}\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u;
const ZERO_WIDTH = /\p{Mn}|[\u200B-\u200F]|[\uFE00-\uFE0F]/u;

/** Columns a terminal gives the text: emoji and East Asian wide characters take two. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return w;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A timestamp for people: ISO 8601 in UTC without milliseconds, or '-' when absent. */
export function formatTime(d: Date | number | null | undefined): string {
  if (d === null || d === undefined) return '-';
  const t = typeof d === 'number' ? d : d.getTime();
  return Number.isFinite(t) ? new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** ISO 8601 for machines, or null. */
export function isoOrNull(d: Date | number | null | undefined): string | null {
  if (d === null || d === undefined) return null;
  const t = typeof d === 'number' ? d : d.getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/**
 * Writes a file so that readers see either the old content or the whole new one: a temp file in
 * the same folder (same filesystem), flushed, then renamed over the target.
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
