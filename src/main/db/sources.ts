// Messages' originals (Gmail's format=raw), kept as content-addressed pieces (schema: blobs, source_pieces): written
// with the message's details in the sync's transaction, read back whole for "View original", "Save as .eml" and
// export, and piece by piece for attachments. What is written here never changes a list or a count.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { guarded, preparedPerConnection } from './internal';
import { attachments, blobs, messages, sourcePieces } from './schema';

/**
 * One piece of an original as the parser cut it: its bytes, or null when they are not kept (over the cap);
 * `attachment`: an attachment's encoded bytes (stored as they are: most are compressed already, as pictures, PDFs
 * and archives are, and they are the bulk of the bytes), else the message's text around them (deflated).
 */
export type SourcePiece = { bytes: Buffer | null; size: number; attachment?: boolean };

/** An original cut into pieces (sync/mime/raw-source.ts); their bytes put together are the original. */
export type ParsedSource = { size: number; pieces: SourcePiece[] };

/** A fetched message's original as export reads it; `bytes` null when it is not whole in the mirror. */
export type StoredSource = {
  gmailId: string;
  threadId: string;
  internalDate: number | null;
  labelIds: string[];
  size: number;
  bytes: Buffer | null;
};

/** Whether a message's original is in the mirror: whole, partly (pieces over the cap), or not at all. */
export type SourceState = { state: 'whole'; bytes: Buffer } | { state: 'partial'; size: number } | { state: 'none' };

const ph = (name: string) => sql.placeholder(name);

/** Pieces smaller than this are stored as they are (deflate would save too little to pay for itself). */
const COMPRESS_FROM = 512;

/**
 * The bytes as a blob stores them: a message's text deflated (fastest level) when that saves at least an eighth
 * (headers and bodies shrink to a third or less); attachments as they are.
 */
function pack(bytes: Buffer, attachment: boolean): { codec: number; data: Buffer } {
  if (!attachment && bytes.length >= COMPRESS_FROM) {
    const z = deflateRawSync(bytes, { level: 1 });
    if (z.length <= bytes.length - (bytes.length >> 3)) return { codec: 1, data: z };
  }
  return { codec: 0, data: bytes };
}

function unpack(codec: number, data: Buffer): Buffer {
  return codec === 1 ? inflateRawSync(data) : data;
}

const statements = preparedPerConnection((orm) => ({
  findBlob: orm.select({ id: blobs.id }).from(blobs).where(sql`${blobs.hash} = ${ph('hash')}`).prepare(),
  // A blob stored once per content: nothing returned when one with the same hash exists (then findBlob).
  insertBlob: orm
    .insert(blobs)
    .values({ hash: sql`${ph('hash')}`, size: sql`${ph('size')}`, codec: sql`${ph('codec')}`, data: sql`${ph('data')}` })
    .onConflictDoNothing({ target: blobs.hash })
    .returning({ id: blobs.id })
    .prepare(),
  deletePieces: orm.delete(sourcePieces).where(sql`${sourcePieces.messageId} = ${ph('messageId')}`).prepare(),
  insertPiece: orm
    .insert(sourcePieces)
    .values({ messageId: sql`${ph('messageId')}`, seq: sql`${ph('seq')}`, blobId: sql`${ph('blobId')}`, size: sql`${ph('size')}` })
    .prepare(),
  pieces: orm
    .select({ seq: sourcePieces.seq, size: sourcePieces.size, blobId: sourcePieces.blobId, codec: blobs.codec, data: blobs.data })
    .from(sourcePieces)
    .leftJoin(blobs, sql`${blobs.id} = ${sourcePieces.blobId}`)
    .where(sql`${sourcePieces.messageId} = ${ph('messageId')}`)
    .orderBy(sourcePieces.seq)
    .prepare(),
  whole: orm
    .select({ pieces: sql<number>`count(*)`, missing: sql<number>`count(*) - count(${sourcePieces.blobId})` })
    .from(sourcePieces)
    .where(sql`${sourcePieces.messageId} = ${ph('messageId')}`)
    .prepare(),
}));

/**
 * Stores a message's original for message row `messageId` (inside the caller's transaction): the pieces it had go
 * (blobs no other original uses go with them), each kept piece's bytes are stored once per content. Answers the
 * blob id of each piece, null for a piece not kept. `fresh`: the row has no original yet (a stub just fetched).
 */
export function writeSource(db: Db, messageId: number, source: ParsedSource, options: { fresh?: boolean } = {}): Array<number | null> {
  const s = statements(db);
  if (options.fresh !== true) s.deletePieces.run({ messageId });
  const ids: Array<number | null> = [];
  source.pieces.forEach((piece, seq) => {
    let blobId: number | null = null;
    if (piece.bytes !== null) {
      const hash = createHash('sha256').update(piece.bytes).digest();
      // Inserted first: a message's text is new almost always; an attachment sent before is found after.
      blobId = s.insertBlob.get({ hash, size: piece.bytes.length, ...pack(piece.bytes, piece.attachment === true) })?.id ?? s.findBlob.get({ hash })!.id;
    }
    s.insertPiece.run({ messageId, seq, blobId, size: piece.size });
    ids.push(blobId);
  });
  return ids;
}

function assemble(db: Db, messageId: number): SourceState {
  const rows = statements(db).pieces.all({ messageId });
  if (rows.length === 0) return { state: 'none' };
  let size = 0;
  let whole = true;
  for (const r of rows) {
    size += r.size;
    if (r.data === null || r.data === undefined) whole = false;
  }
  if (!whole) return { state: 'partial', size };
  return { state: 'whole', bytes: Buffer.concat(rows.map((r) => unpack(r.codec ?? 0, r.data as Buffer))) };
}

function messageRowId(db: Db, accountId: number, gmailId: string): number | null {
  const row = db.sqlite.prepare('SELECT id FROM messages WHERE account_id = ? AND gmail_id = ? AND details_fetched = 1').get(accountId, gmailId) as
    | { id: number }
    | undefined;
  return row?.id ?? null;
}

/** A message's original as stored: whole (its bytes), partly, or not at all (also for a message not in the mirror). */
export const readSource = guarded(function readSource(db: Db, accountId: number, gmailId: string): SourceState {
  const id = messageRowId(db, accountId, gmailId);
  return id === null ? { state: 'none' } : assemble(db, id);
});

/** Whether each message row's original is whole in the mirror (for the reader's "View original" offline). */
export const sourceIsWhole = guarded(function sourceIsWhole(db: Db, messageId: number): boolean {
  const r = statements(db).whole.get({ messageId });
  return !!r && r.pieces > 0 && r.missing === 0;
});

/**
 * Every fetched message of the account with its original, oldest first (internalDate, then row id), read one at a
 * time: memory stays flat however big the mirror is. Do not write to the store while iterating.
 */
export function* iterateSources(db: Db, accountId: number): Generator<StoredSource> {
  const rows = db.sqlite
    .prepare(
      `SELECT m.id, m.gmail_id, m.thread_id, m.internal_date,
              (SELECT group_concat(label_id, char(10)) FROM message_labels l WHERE l.message_id = m.id) AS labels
         FROM messages m
        WHERE m.account_id = ? AND m.details_fetched = 1
        ORDER BY m.internal_date, m.id`,
    )
    .iterate(accountId) as Iterable<{ id: number; gmail_id: string; thread_id: string; internal_date: number | null; labels: string | null }>;
  for (const r of rows) {
    let state: SourceState;
    try {
      state = assemble(db, r.id);
    } catch (e) {
      throw db.noteError(e);
    }
    yield {
      gmailId: r.gmail_id,
      threadId: r.thread_id,
      internalDate: r.internal_date,
      labelIds: r.labels ? r.labels.split('\n') : [],
      size: state.state === 'whole' ? state.bytes.length : state.state === 'partial' ? state.size : 0,
      bytes: state.state === 'whole' ? state.bytes : null,
    };
  }
}

/** An attachment's stored bytes (still transfer-encoded) and their encoding; null when they are not in the mirror. */
export const readAttachmentPiece = guarded(function readAttachmentPiece(
  db: Db,
  attachmentId: number,
): { data: Buffer; transferEncoding: string | null } | null {
  const row = db.orm
    .select({ codec: blobs.codec, data: blobs.data, transferEncoding: attachments.transferEncoding })
    .from(attachments)
    .innerJoin(blobs, sql`${blobs.id} = ${attachments.blobId}`)
    .where(sql`${attachments.id} = ${attachmentId}`)
    .get();
  return row ? { data: unpack(row.codec, row.data), transferEncoding: row.transferEncoding } : null;
});

/**
 * Which fetched messages of the account the mirror should have the original of and does not (whole or in part):
 * none stored (a mirror made before full copies), or an attachment left out that is now within the cap
 * (`capBytes`, null: no cap).
 */
function missingSource(accountId: number, capBytes: number | null) {
  return sql`${messages.accountId} = ${accountId} AND ${messages.detailsFetched} = 1 AND (
        NOT EXISTS (SELECT 1 FROM ${sourcePieces} WHERE ${sourcePieces.messageId} = ${messages.id})
        OR EXISTS (SELECT 1 FROM ${attachments} WHERE ${attachments.messageId} = ${messages.id} AND ${attachments.blobId} IS NULL
                   AND (${capBytes} IS NULL OR ${attachments.size} <= ${capBytes})))`;
}

/**
 * Up to `limit` messages whose original is missing (missingSource), after row id `afterId`, in row order, so a
 * backfill pages through them once.
 */
export const messagesMissingSource = guarded(function messagesMissingSource(
  db: Db,
  accountId: number,
  afterId: number,
  limit: number,
  capBytes: number | null,
): Array<{ id: number; gmailId: string }> {
  return db.orm
    .select({ id: messages.id, gmailId: messages.gmailId })
    .from(messages)
    .where(sql`${messages.id} > ${afterId} AND ${missingSource(accountId, capBytes)}`)
    .orderBy(messages.id)
    .limit(limit)
    .all();
});

/** How many messages' originals are missing (missingSource): what messagesMissingSource pages through. */
export const countMessagesMissingSource = guarded(function countMessagesMissingSource(db: Db, accountId: number, capBytes: number | null): number {
  return db.orm.select({ n: sql<number>`count(*)` }).from(messages).where(missingSource(accountId, capBytes)).get()?.n ?? 0;
});

/** How many fetched messages of the account have no original in the mirror at all (the backfill's work left). */
export const countMissingSources = guarded(function countMissingSources(db: Db, accountId: number): number {
  const row = db.sqlite
    .prepare(
      `SELECT count(*) AS n FROM messages m WHERE m.account_id = ? AND m.details_fetched = 1
         AND NOT EXISTS (SELECT 1 FROM source_pieces p WHERE p.message_id = m.id)`,
    )
    .get(accountId) as { n: number };
  return row.n;
});
