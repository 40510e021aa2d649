import { describe, expect, it } from 'vitest';
import { historyIdGreater, historyToOps } from '../../src/main/sync/history-parser';

describe('history parser', () => {
  it('compares history ids as integers, never as strings', () => {
    expect(historyIdGreater('10', '9')).toBe(true);
    expect(historyIdGreater('9', '10')).toBe(false);
    expect(historyIdGreater('18446744073709551615', '18446744073709551614')).toBe(true);
    expect(historyIdGreater(null, '1')).toBe(false);
    expect(historyIdGreater('1', null)).toBe(true);
  });

  it('keeps records in order and applies each record’s own label delta', () => {
    const ops = historyToOps([
      { id: '100', messagesAdded: [{ message: { id: 'a', threadId: 't', labelIds: ['INBOX', 'UNREAD'] } }] },
      { id: '105', labelsRemoved: [{ message: { id: 'a', threadId: 't', labelIds: ['INBOX'] }, labelIds: ['UNREAD'] }] },
      { id: '107', labelsAdded: [{ message: { id: 'b', threadId: 'u' }, labelIds: ['STARRED'] }] },
      { id: '110', messagesDeleted: [{ message: { id: 'a', threadId: 't' } }] },
    ]);
    expect(ops).toEqual([
      { kind: 'added', gmailId: 'a', threadId: 't', labelIds: ['INBOX', 'UNREAD'], historyId: '100' },
      { kind: 'labelsRemoved', gmailId: 'a', threadId: 't', labelIds: ['UNREAD'], historyId: '105' },
      { kind: 'labelsAdded', gmailId: 'b', threadId: 'u', labelIds: ['STARRED'], historyId: '107' },
      { kind: 'deleted', gmailId: 'a' },
    ]);
  });

  it('skips records without a message id or without labels', () => {
    expect(
      historyToOps([
        { id: '1', messages: [{ id: 'x' }] },
        { id: '2', labelsAdded: [{ message: { id: 'x' }, labelIds: [] }] },
        { id: '3', messagesAdded: [{ message: {} }] },
      ]),
    ).toEqual([]);
  });
});
