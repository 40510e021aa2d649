import type { ParsedMessage } from '../../src/main/db';

/** A parsed message with every field empty but the ones given: for store tests that write details directly. */
export function parsedMessage(gmailId: string, fields: Partial<ParsedMessage> = {}): ParsedMessage {
  return {
    gmailId,
    threadId: `t-${gmailId}`,
    labelIds: ['INBOX'],
    historyId: '1',
    internalDate: 1_700_000_000_000,
    sizeEstimate: null,
    snippet: null,
    subject: null,
    from: null,
    to: null,
    cc: null,
    date: null,
    messageIdHeader: null,
    references: null,
    textBody: null,
    htmlBody: null,
    attachments: [],
    parseError: null,
    ...fields,
  };
}

/** A message as a sync would store it, with its labels: headers, a snippet and a body named after its id. */
export function sampleMessage(gmailId: string, labelIds: string[], fields: Partial<ParsedMessage> = {}): ParsedMessage {
  return parsedMessage(gmailId, {
    labelIds,
    historyId: '100',
    sizeEstimate: 1000,
    snippet: 'snippet',
    subject: `subject ${gmailId}`,
    from: 'Alice <alice@example.com>',
    to: 'bob@example.com',
    textBody: `body of ${gmailId}`,
    ...fields,
  });
}
