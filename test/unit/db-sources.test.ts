// Originals in the store: kept whole (the pieces make up the bytes exactly), an attachment sent twice stored once and
// kept while any message uses it, a cap leaving big attachments out (and the backfill finding them when it is raised).
import { describe, expect } from 'vitest';
import type { gmail_v1 } from 'googleapis';
import { deleteMessagesByGmailId, insertStubs, saveMessageDetails, getMessage, type Db } from '../../src/main/db';
import { iterateSources, messagesMissingSource, readAttachmentPiece, readSource } from '../../src/main/db/sources';
import { decodeTransfer } from '../../src/main/sync/mime/raw-mime';
import { parseGmailMessage } from '../../src/main/sync/parse-message';
import { storeTest } from '../helpers/fixtures';

const it = storeTest;

const picture = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
const b64lines = (b: Buffer): string => b.toString('base64').replace(/.{76}/g, '$&\r\n');

function original(subject: string, withAttachment: boolean): Buffer {
  const head = `From: Ann <ann@example.com>\r\nTo: me@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@x>\r\nMIME-Version: 1.0\r\n`;
  if (!withAttachment) return Buffer.from(`${head}Content-Type: text/plain; charset=utf-8\r\n\r\nJust text, ${subject}.\r\n`);
  return Buffer.from(
    `${head}Content-Type: multipart/related; boundary="b1"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n` +
      `<p>See <img src="cid:pic@x"></p>\r\n--b1\r\nContent-Type: image/png; name="pic.png"\r\nContent-Transfer-Encoding: base64\r\n` +
      `Content-ID: <pic@x>\r\nContent-Disposition: inline; filename="pic.png"\r\n\r\n${b64lines(picture)}\r\n--b1--\r\n`,
  );
}

function raw(id: string, bytes: Buffer): gmail_v1.Schema$Message {
  return { id, threadId: id, labelIds: ['INBOX'], historyId: '10', internalDate: String(1_700_000_000_000 + Number(id.slice(1))), raw: bytes.toString('base64url') };
}

const save = (db: Db, acc: number, id: string, bytes: Buffer, capBytes: number | null = null): void => {
  saveMessageDetails(db, acc, [parseGmailMessage(raw(id, bytes), { attachmentCapBytes: capBytes })], { insertMissing: true });
};

const blobCount = (db: Db): number => (db.sqlite.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n;

describe('originals in the store', () => {
  it('gives back each original byte for byte, and its attachment decoded', ({ db, acc }) => {
    const a = original('one', true);
    const b = original('two', false);
    save(db, acc, 'm1', a);
    save(db, acc, 'm2', b);
    expect(readSource(db, acc, 'm1')).toEqual({ state: 'whole', bytes: a });
    expect(readSource(db, acc, 'm2')).toEqual({ state: 'whole', bytes: b });
    const att = getMessage(db, acc, 'm1')!.attachments[0];
    expect(att).toMatchObject({ filename: 'pic.png', contentId: 'pic@x', transferEncoding: 'base64' });
    const piece = readAttachmentPiece(db, att.id)!;
    expect(decodeTransfer(piece.data, piece.transferEncoding)).toEqual(picture);
    expect([...iterateSources(db, acc)].map((s) => [s.gmailId, s.bytes])).toEqual([
      ['m1', a],
      ['m2', b],
    ]);
  });

  it('stores an attachment sent twice once, and drops it with the last message using it', ({ db, acc }) => {
    save(db, acc, 'm1', original('one', true));
    const afterOne = blobCount(db);
    save(db, acc, 'm2', original('two', true));
    // The second message adds its own text pieces, not the picture again.
    const pictureRows = (): number =>
      (db.sqlite.prepare('SELECT count(*) AS n FROM blobs WHERE size = ?').get(Buffer.byteLength(b64lines(picture))) as { n: number }).n;
    expect(pictureRows()).toBe(1);
    expect(blobCount(db)).toBeLessThan(afterOne * 2);
    deleteMessagesByGmailId(db, acc, ['m1']);
    expect(pictureRows()).toBe(1);
    expect(readSource(db, acc, 'm2').state).toBe('whole');
    deleteMessagesByGmailId(db, acc, ['m2']);
    expect(blobCount(db)).toBe(0);
  });

  it('a listed message fetched, then fetched again, keeps only its newest original and attachments', ({ db, acc }) => {
    insertStubs(db, acc, [{ gmailId: 'm1', threadId: 'm1', priority: 2, listSeq: 0 }]);
    const first = original('one', true);
    const second = original('two', false);
    save(db, acc, 'm1', first);
    expect(readSource(db, acc, 'm1')).toEqual({ state: 'whole', bytes: first });
    expect(getMessage(db, acc, 'm1')!.attachments.map((a) => a.filename)).toEqual(['pic.png']);
    save(db, acc, 'm1', second);
    expect(readSource(db, acc, 'm1')).toEqual({ state: 'whole', bytes: second });
    expect(getMessage(db, acc, 'm1')!.attachments).toEqual([]);
    // The same message twice in one batch: the later copy is what stays, nothing of the first is left behind.
    const parse = (bytes: Buffer) => parseGmailMessage(raw('m2', bytes), { attachmentCapBytes: null });
    insertStubs(db, acc, [{ gmailId: 'm2', threadId: 'm2', priority: 2, listSeq: 1 }]);
    saveMessageDetails(db, acc, [parse(first), parse(first)], { insertMissing: false });
    expect(readSource(db, acc, 'm2')).toEqual({ state: 'whole', bytes: first });
    expect(getMessage(db, acc, 'm2')!.attachments.map((a) => a.filename)).toEqual(['pic.png']);
    deleteMessagesByGmailId(db, acc, ['m1', 'm2']);
    expect(blobCount(db)).toBe(0);
  });

  it('leaves attachments over the cap out, and the backfill finds them once the cap allows them', ({ db, acc }) => {
    save(db, acc, 'm1', original('one', true), 1000);
    save(db, acc, 'm2', original('two', false), 1000);
    const m1 = getMessage(db, acc, 'm1')!;
    expect(readSource(db, acc, 'm1')).toMatchObject({ state: 'partial' });
    expect(m1.attachments[0].blobId).toBeNull();
    expect(m1.textBody ?? m1.htmlBody).toBeTruthy();
    expect(messagesMissingSource(db, acc, 0, 10, 1000)).toEqual([]);
    expect(messagesMissingSource(db, acc, 0, 10, null).map((r) => r.gmailId)).toEqual(['m1']);
    // What the mirror had from format=full (no original) is missing too.
    saveMessageDetails(db, acc, [{ ...parseGmailMessage(raw('m3', original('three', false))), source: undefined }], { insertMissing: true });
    expect(messagesMissingSource(db, acc, 0, 10, 1000).map((r) => r.gmailId)).toEqual(['m3']);
  });
});
