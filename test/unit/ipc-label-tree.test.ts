// The sidebar's order: Gmail's system labels first in Gmail's order, categories apart, user
// labels nested by `/` and sorted like people expect.
import { describe, expect, it } from 'vitest';
import { buildLabelSections, labelDisplayName, type LabelLike } from '../../src/shared/label-tree';

const sys = (id: string): LabelLike => ({ id, name: id, type: 'system' });
const user = (id: string, name: string): LabelLike => ({ id, name, type: 'user' });

describe('label sections', () => {
  it('puts system labels in Gmail’s order and hides UNREAD', () => {
    const s = buildLabelSections([sys('TRASH'), sys('UNREAD'), sys('SENT'), sys('INBOX'), sys('SPAM'), sys('STARRED'), sys('DRAFT'), sys('IMPORTANT'), sys('CHAT')]);
    expect(s.system.map((l) => l.id)).toEqual(['INBOX', 'STARRED', 'IMPORTANT', 'CHAT', 'SENT', 'DRAFT', 'SPAM', 'TRASH']);
    expect(s.system.map((l) => labelDisplayName(l))).toEqual(['Inbox', 'Starred', 'Important', 'Chats', 'Sent', 'Drafts', 'Spam', 'Trash']);
  });

  it('groups categories in Gmail’s order', () => {
    const s = buildLabelSections([sys('CATEGORY_PROMOTIONS'), sys('CATEGORY_SOCIAL'), sys('CATEGORY_PERSONAL'), sys('CATEGORY_UPDATES'), sys('CATEGORY_FORUMS')]);
    expect(s.system).toEqual([]);
    expect(s.categories.map((l) => labelDisplayName(l))).toEqual(['Primary', 'Social', 'Updates', 'Forums', 'Promotions']);
  });

  it('nests user labels by slash, with parents that exist only through their children', () => {
    const s = buildLabelSections([
      user('L4', 'Work/Projects/Apollo'),
      user('L1', 'work/Projects'),
      user('L2', 'Travel'),
      user('L5', 'Archive/2021/Q1'),
      user('L6', 'item 10'),
      user('L7', 'item 9'),
      user('L3', 'Work'),
    ]);
    expect(s.user.map((n) => n.name)).toEqual(['Archive', 'item 9', 'item 10', 'Travel', 'Work', 'work']);
    const archive = s.user[0];
    expect(archive.label).toBeNull();
    expect(archive.children[0].name).toBe('2021');
    expect(archive.children[0].children[0].label?.id).toBe('L5');
    const work = s.user.find((n) => n.name === 'Work');
    expect(work?.label?.id).toBe('L3');
    expect(work?.children[0].name).toBe('Projects');
    expect(work?.children[0].label).toBeNull();
    expect(work?.children[0].children[0].label?.id).toBe('L4');
    expect(labelDisplayName(user('L4', 'Work/Projects/Apollo'))).toBe('Apollo');
  });

  it('keeps odd names whole', () => {
    const s = buildLabelSections([user('a', '/'), user('b', 'a//b/'), user('c', 'Ünïcødé/日本語')]);
    expect(s.user.map((n) => n.name).sort()).toEqual(['/', 'a', 'Ünïcødé'].sort());
    const a = s.user.find((n) => n.name === 'a');
    expect(a?.children[0].label?.id).toBe('b');
  });
});
