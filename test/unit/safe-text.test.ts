// Names a sender chose (attachments) and text a user typed (search): what is shown and saved has no
// bidirectional tricks or control characters, and executables are recognised as such.
import { describe, expect, it } from 'vitest';
import { isExecutableName, safeFileName, stripControlChars } from '../../src/shared/safe-text';

describe('safeFileName', () => {
  it('takes out bidirectional controls, so a name shows what it is', () => {
    // Shown raw, "invoice\u202Efdp.sh" reads "invoicehs.pdf".
    expect(safeFileName('invoice\u202Efdp.sh')).toBe('invoicefdp.sh');
    const every = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
    for (const c of every) expect(safeFileName(`a${c}b.txt`), `U+${c.charCodeAt(0).toString(16)}`).toBe('ab.txt');
  });

  it('takes out control characters, paths and what file systems refuse', () => {
    expect(safeFileName('re\u0000port\u001b[31m.csv')).toBe('report[31m.csv');
    expect(safeFileName('a\u0085b\u009b.txt')).toBe('ab.txt');
    expect(safeFileName('../../.bashrc')).toBe('bashrc');
    expect(safeFileName('C:\\Users\\me\\evil.txt')).toBe('evil.txt');
    expect(safeFileName('a<b>c:d"e|f?g*h.txt')).toBe('a_b_c_d_e_f_g_h.txt');
    expect(safeFileName('report.txt:hidden.exe')).toBe('report.txt_hidden.exe');
    expect(safeFileName('  spaced\t\tout  .pdf ')).toBe('spaced out .pdf');
    expect(safeFileName('setup.exe...')).toBe('setup.exe');
    expect(safeFileName('bad\ud800half.txt')).toBe('badhalf.txt');
    expect(safeFileName('Cafe\u0301.txt')).toBe('Café.txt');
  });

  it('keeps ordinary names and falls back when nothing is left', () => {
    for (const n of ['report.csv', 'Résumé 2024 (final).pdf', '東京の写真.jpg', 'photo 🙂.png', '.env.example']) {
      expect(safeFileName(n)).toBe(n.replace(/^\./, ''));
    }
    expect(safeFileName(null)).toBe('attachment');
    expect(safeFileName(undefined, 'Untitled')).toBe('Untitled');
    expect(safeFileName('\u202E\u0000 ..', 'x')).toBe('x');
  });

  it('bounds the length and keeps the extension', () => {
    const long = safeFileName(`${'a'.repeat(500)}.pdf.exe`);
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith('.exe')).toBe(true);
    expect(isExecutableName(`${'a'.repeat(500)}.pdf.exe`)).toBe(true);
    // Astral characters are cut whole, never into a lone surrogate half.
    const emoji = safeFileName(`${'🙂'.repeat(300)}.txt`);
    expect(emoji.endsWith('.txt')).toBe(true);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('isExecutableName', () => {
  it('recognises programs, whatever they pretend to be', () => {
    for (const n of [
      'invoice.pdf.exe',
      'invoice\u202Efdp.sh',
      'INVOICE.EXE',
      'setup.exe.',
      'setup.exe \u200F',
      'screen.scr',
      'run.bat',
      'run.cmd',
      'old.com',
      'install.msi',
      'script.ps1',
      'macro.vbs',
      'payload.js',
      'tool.jar',
      'install.sh',
      'Thing.app',
      'Thing.dmg',
      'Thing.pkg',
      'thing.deb',
      'shortcut.lnk',
      'open.hta',
      'disk.iso',
    ]) {
      expect(isExecutableName(n), n).toBe(true);
    }
  });

  it('leaves documents alone', () => {
    for (const n of ['report.csv', 'invoice.pdf', 'photo.jpg', 'notes', 'archive.tar.gz', 'exe', '.exe-notes.txt', null, undefined, '']) {
      expect(isExecutableName(n), String(n)).toBe(false);
    }
  });
});

describe('stripControlChars', () => {
  it('turns every control character into a separator and leaves the rest', () => {
    expect(stripControlChars('a\u0000b\u0007c\u007fd\u009fe')).toBe('a b c d e');
    expect(stripControlChars('café 東京 🙂', '')).toBe('café 東京 🙂');
  });
});
