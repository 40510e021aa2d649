import { describe, expect } from 'vitest';
import {
  toStoreError,
  StoreError,
  DiskFullError,
  DatabaseDamagedError,
  ReadonlyDatabaseError,
  DatabaseBusyError,
  CannotOpenDatabaseError,
  DatabaseIoError,
  createAccount,
  saveMessageDetails,
} from '../../src/main/db';
import { storeTest } from '../helpers/fixtures';
import { parsedMessage } from '../helpers/parsed-message';

const it = storeTest;

const sqliteError = (code: string): Error => Object.assign(new Error(`boom ${code}`), { code });

describe('store errors', () => {
  it('maps SQLite result codes to one error class each, with a code', () => {
    const cases: Array<[string, new (...a: never[]) => StoreError, string]> = [
      ['SQLITE_FULL', DiskFullError, 'DISK_FULL'],
      ['SQLITE_CORRUPT', DatabaseDamagedError, 'DB_DAMAGED'],
      ['SQLITE_CORRUPT_INDEX', DatabaseDamagedError, 'DB_DAMAGED'],
      ['SQLITE_NOTADB', DatabaseDamagedError, 'DB_DAMAGED'],
      ['SQLITE_READONLY', ReadonlyDatabaseError, 'READONLY'],
      ['SQLITE_READONLY_DBMOVED', ReadonlyDatabaseError, 'READONLY'],
      ['SQLITE_BUSY', DatabaseBusyError, 'BUSY'],
      ['SQLITE_CANTOPEN', CannotOpenDatabaseError, 'CANT_OPEN'],
      ['SQLITE_IOERR_WRITE', DatabaseIoError, 'IO'],
    ];
    for (const [sqliteCode, cls, code] of cases) {
      const mapped = toStoreError(sqliteError(sqliteCode));
      expect(mapped, sqliteCode).toBeInstanceOf(cls);
      expect(mapped).toBeInstanceOf(StoreError);
      expect((mapped as StoreError).code).toBe(code);
      expect((mapped as StoreError).sqliteCode).toBe(sqliteCode);
      expect((mapped as Error).name).toBe(cls.name);
    }
  });

  it('looks through wrappers to the driver error, and leaves other errors alone', () => {
    const wrapped = new Error('Failed query', { cause: sqliteError('SQLITE_FULL') });
    expect(toStoreError(wrapped)).toBeInstanceOf(DiskFullError);
    const constraint = sqliteError('SQLITE_CONSTRAINT_UNIQUE');
    expect(toStoreError(constraint)).toBe(constraint);
    const plain = new RangeError('x');
    expect(toStoreError(plain)).toBe(plain);
    const already = new DiskFullError();
    expect(toStoreError(already)).toBe(already);
  });

  it('skips messages without an id instead of storing a nameless row', ({ db }) => {
    const acc = createAccount(db, { email: 'a@example.com' }).id;
    const r = saveMessageDetails(
      db,
      acc,
      [parsedMessage('', { threadId: '', labelIds: [], historyId: null, internalDate: null, parseError: 'message has no id' })],
      { insertMissing: true },
    );
    expect(r).toEqual({ written: 0, skipped: 1 });
  });
});
