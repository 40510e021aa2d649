// Exports an account's originals as Gmail gives them (`format=raw`): `mbox`, one mboxrd file with Takeout's label
// headers (mbox.ts), or `eml`, a folder of `<gmail id>.eml` files holding each original byte for byte and nothing
// else. One message is in memory at a time and each write is awaited before the next message is read, so memory
// stays flat at any size and a slow disk slows the export instead of filling memory. The result appears under its
// final name only when whole (atomic-target.ts).
import { AtomicFile, AtomicFolder, safeEntryName } from './atomic-target';
import { ExportCancelledError, writeFailure } from './export-errors';
import { mboxEntry } from './mbox';

export type ExportFormat = 'mbox' | 'eml';

/** A message as the store gives it for export (db/sources.ts's StoredSource has this shape). */
export type ExportSource = {
  gmailId: string;
  threadId: string;
  internalDate: number | null;
  labelIds: string[];
  /** The original, whole; null when it is not whole in the mirror (not copied yet, or parts over the size cap). */
  bytes: Buffer | null;
};

export type ExportOptions = {
  format: ExportFormat;
  /** The file (mbox) or folder (eml) to write. */
  path: string;
  /**
   * mbox only: write to this stream instead (`--out -`, standard output), waiting for it to drain; `path` then only
   * names it in messages. Nothing is atomic about a stream: a reader sees the entries as they come.
   */
  stream?: NodeJS.WritableStream;
  /** Replace an existing file, or a folder of .eml files. */
  force?: boolean;
  /** Label id → name, for X-Gmail-Labels. */
  labelNames: ReadonlyMap<string, string>;
  /** Stops the export between two messages; nothing is left under the final name. */
  signal?: AbortSignal;
  /** Called after each message (exported or skipped). */
  onProgress?: (progress: { exported: number; skipped: number; bytes: number }) => void;
};

export type ExportResult = {
  format: ExportFormat;
  /** The absolute path written. */
  path: string;
  /** Messages written. */
  messages: number;
  /** Bytes written (the mbox file's size; the .eml files' sizes added up). */
  bytes: number;
  /** Messages left out because their original is not whole in the mirror. */
  skipped: number;
  /** The first few of those (Gmail ids), to name them. */
  skippedIds: string[];
};

const SKIPPED_IDS_KEPT = 5;

interface Target {
  readonly path: string;
  readonly bytes: number;
  add(m: ExportSource & { bytes: Buffer }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function mboxTarget(path: string, force: boolean, labelNames: ReadonlyMap<string, string>): Promise<Target> {
  const file = await AtomicFile.create(path, { force });
  return {
    path: file.path,
    get bytes() {
      return file.bytes;
    },
    add: async (m) => {
      for (const piece of mboxEntry(m, labelNames)) await file.write(piece);
    },
    commit: () => file.commit(),
    abort: () => file.abort(),
  };
}

function streamTarget(stream: NodeJS.WritableStream, name: string, labelNames: ReadonlyMap<string, string>): Target {
  let bytes = 0;
  // A stream fails by an 'error' event (a reader gone: EPIPE), any time: kept, and the next write throws it.
  let failed: unknown;
  const onError = (e: unknown) => {
    failed ??= e;
  };
  stream.on('error', onError);
  const done = () => stream.off('error', onError);
  /** Resolves when the stream can take more (at once, or once drained), rejects when it failed meanwhile. */
  const write = (buf: Buffer, flushed = false) =>
    new Promise<void>((resolve, reject) => {
      if (failed !== undefined) return reject(writeFailure(name, failed));
      const settle = () => {
        stream.off('drain', settle);
        stream.off('error', settle);
        if (failed !== undefined) reject(writeFailure(name, failed));
        else resolve();
      };
      const more = stream.write(buf, (e) => {
        if (e) onError(e);
        if (flushed) settle();
      });
      if (more && !flushed) resolve();
      else if (!flushed) {
        stream.once('drain', settle);
        stream.once('error', settle);
      }
    });
  return {
    path: name,
    get bytes() {
      return bytes;
    },
    add: async (m) => {
      for (const piece of mboxEntry(m, labelNames)) {
        await write(piece);
        bytes += piece.length;
      }
    },
    // Waits until everything is handed to the system: a process that exits at once could cut a pipe's last bytes.
    commit: () => write(Buffer.alloc(0), true).finally(done),
    abort: () => {
      done();
      return Promise.resolve();
    },
  };
}

async function emlTarget(path: string, force: boolean): Promise<Target> {
  const folder = await AtomicFolder.create(path, { force });
  return {
    path: folder.path,
    get bytes() {
      return folder.bytes;
    },
    add: (m) => folder.writeFile(`${safeEntryName(m.gmailId)}.eml`, m.bytes),
    commit: () => folder.commit(),
    abort: () => folder.abort(),
  };
}

const cancelled = () => new ExportCancelledError('the export was stopped before it was whole: nothing was written under its name');

/** Writes `sources` (read one at a time) as `opts.format` to `opts.path`; see the file's comment. */
export async function exportSources(sources: Iterable<ExportSource>, opts: ExportOptions): Promise<ExportResult> {
  if (opts.signal?.aborted) throw cancelled();
  const force = opts.force === true;
  if (opts.stream && opts.format !== 'mbox') throw new Error('only an mbox export can be written to a stream');
  const target = opts.stream
    ? streamTarget(opts.stream, opts.path, opts.labelNames)
    : opts.format === 'mbox'
      ? await mboxTarget(opts.path, force, opts.labelNames)
      : await emlTarget(opts.path, force);
  let messages = 0;
  let skipped = 0;
  const skippedIds: string[] = [];
  try {
    for (const s of sources) {
      if (opts.signal?.aborted) throw cancelled();
      if (s.bytes === null) {
        skipped++;
        if (skippedIds.length < SKIPPED_IDS_KEPT) skippedIds.push(s.gmailId);
      } else {
        await target.add({ ...s, bytes: s.bytes });
        messages++;
      }
      opts.onProgress?.({ exported: messages, skipped, bytes: target.bytes });
    }
    if (opts.signal?.aborted) throw cancelled();
    await target.commit();
  } catch (e) {
    await target.abort();
    throw e;
  }
  return { format: opts.format, path: target.path, messages, bytes: target.bytes, skipped, skippedIds };
}
