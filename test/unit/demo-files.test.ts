// The demo mailbox's pictures and PDFs are files that open: a PNG whose chunks a decoder accepts (checksums, the
// pixels inflating to exactly what the header says), a PDF whose cross-reference table points at each object;
// about the size asked, and the same for the same seed.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdfDocument, pngPicture } from '../../src/emulator/demo-files';

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len), `${type} checksum`).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    out.push({ type, data });
    at += 12 + len;
  }
  return out;
}

describe('demo pictures', () => {
  it.each([500, 4000, 20000])('a PNG of about %i bytes decodes to its header\'s size', (size) => {
    const png = pngPicture(7 * size, size);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const width = parts[0].data.readUInt32BE(0);
    const height = parts[0].data.readUInt32BE(4);
    expect([...parts[0].data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    const pixels = inflateSync(parts[1].data);
    expect(pixels.length).toBe(height * (1 + 3 * width));
    expect(png.length / size).toBeGreaterThan(0.8);
    expect(png.length / size).toBeLessThan(1.3);
    expect(pngPicture(7 * size, size).equals(png)).toBe(true);
    expect(pngPicture(7 * size + 1, size).equals(png)).toBe(false);
  });
});

describe('demo PDFs', () => {
  it.each([3000, 40000])('a PDF of about %i bytes has a cross-reference table that finds each object', (size) => {
    const pdf = pdfDocument(size, size, 'Report (2021)');
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.endsWith('%%EOF\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
    const [, count] = /^xref\n0 (\d+)\n/.exec(text.slice(startxref)) ?? [];
    const entries = text.slice(startxref).split('\n').slice(3, 2 + Number(count));
    expect(entries).toHaveLength(6);
    entries.forEach((entry, i) => expect(text.slice(Number(entry.slice(0, 10)), Number(entry.slice(0, 10)) + 8)).toBe(`${i + 1} 0 obj\n`));
    // Each stream's stated length is its length.
    for (const m of text.matchAll(/\/Length (\d+)[^>]*>>\nstream\n/g)) {
      const start = (m.index ?? 0) + m[0].length;
      expect(text.slice(start + Number(m[1]), start + Number(m[1]) + 10)).toBe('\nendstream');
    }
    expect(text).toContain('(Report \\(2021\\)) Tj');
    expect(pdf.length / size).toBeGreaterThan(0.8);
    expect(pdf.length / size).toBeLessThan(1.3);
  });
});
