// Attachments that open: a PNG picture and a PDF document made from a seed, about as large as asked (their bulk
// stored uncompressed, so a generated mailbox weighs what it did when these were random bytes), so that the demo
// mailbox's pictures show and its PDFs open in any viewer.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Three colour channels from a seed's bits (mixed first, so that near seeds give different colours). */
function colour(seed: number, shift: number): [number, number, number] {
  let m = Math.imul(seed ^ (seed >>> 16), 0x45d9f3b);
  m = Math.imul(m ^ (m >>> 16), 0x45d9f3b);
  m ^= m >>> 16;
  const v = (m >>> shift) | (m << (32 - shift));
  return [64 + (v & 0x7f), 64 + ((v >>> 8) & 0x7f), 64 + ((v >>> 16) & 0x7f)];
}

/**
 * A w×h PNG, 8-bit RGB, one IDAT chunk, the colour of each pixel from `pixel`; `level` the deflate level of its
 * pixels (0: stored, as large as they are).
 */
export function encodePng(w: number, h: number, pixel: (x: number, y: number) => readonly number[], level = 6): Buffer {
  const row = 1 + w * 3;
  const raw = Buffer.alloc(row * h);
  for (let y = 0; y < h; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < w; x++) raw.set(pixel(x, y), y * row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, filter method 0, not interlaced
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A PNG of about `approxBytes`: a diagonal blend of two colours from `seed` with a light disc in it, twice as wide as
 * it is tall.
 */
export function pngPicture(seed: number, approxBytes: number): Buffer {
  const width = Math.max(8, Math.round(Math.sqrt((2 * approxBytes) / 3)));
  const height = Math.max(4, Math.round(approxBytes / (1 + width * 3)));
  const [a, b] = [colour(seed, 3), colour(seed, 17)];
  const cx = width * 0.65;
  const cy = height * 0.4;
  const r2 = (Math.min(width, height) * 0.3) ** 2;
  return encodePng(
    width,
    height,
    (x, y) => {
      const t = (x / width + y / height) / 2;
      const lift = (x - cx) ** 2 + (y - cy) ** 2 < r2 ? 90 : 0;
      return [0, 1, 2].map((c) => Math.min(255, Math.round(a[c] + (b[c] - a[c]) * t) + lift));
    },
    0,
  );
}

/** PDF text: the characters a string literal needs escaped. */
const pdfText = (s: string) => s.replace(/[\\()]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?');

/**
 * A one-page PDF 1.4 of about `approxBytes` showing `title` and a line under it; the rest of the size is an image
 * of the page's colour band (a stream the page draws), so the file opens in any viewer.
 */
export function pdfDocument(seed: number, approxBytes: number, title: string): Buffer {
  const [r, g, b] = colour(seed, 7).map((v) => (v / 255).toFixed(3));
  const bandWidth = 200;
  const bandHeight = Math.max(1, Math.round(Math.max(0, approxBytes - 1200) / (bandWidth * 3)));
  const band = Buffer.alloc(bandWidth * bandHeight * 3);
  const [c0, c1] = [colour(seed, 11), colour(seed, 23)];
  for (let y = 0; y < bandHeight; y++) {
    for (let x = 0; x < bandWidth; x++) {
      const t = x / bandWidth;
      for (let c = 0; c < 3; c++) band[(y * bandWidth + x) * 3 + c] = c0[c] + (c1[c] - c0[c]) * t;
    }
  }
  const content = Buffer.from(
    `q ${r} ${g} ${b} rg 0 742 612 50 re f Q\n` +
      `q 532 0 0 40 40 680 cm /Band Do Q\n` +
      `BT /F1 22 Tf 40 640 Td (${pdfText(title)}) Tj ET\n` +
      `BT /F1 12 Tf 40 610 Td (Made by the Mailmirror demo mailbox.) Tj ET\n`,
    'latin1',
  );
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Band 6 0 R >> >> >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${bandWidth} /Height ${bandHeight} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${band.length} >>\nstream\n`),
      band,
      Buffer.from('\nendstream'),
    ]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    offset += obj.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}
