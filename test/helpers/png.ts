// Real PNG pictures for the reader's tests (attachment previews, inline images): RGB, 8 bits, one IDAT chunk.
import { encodePng } from '../../src/emulator/demo-files';
import { rng } from './rng';

/** A w×h gradient (small: it compresses well). */
export function gradientPng(w: number, h: number): Buffer {
  return encodePng(w, h, (x, y) => [Math.round((255 * x) / w), Math.round((255 * y) / h), 180]);
}

/** A w×h picture of seeded noise: about 3·w·h bytes, as a photo is (noise does not compress). */
export function noisePng(w: number, h: number, seed = 1): Buffer {
  const next = rng(seed);
  return encodePng(w, h, () => [Math.floor(next() * 256), Math.floor(next() * 256), Math.floor(next() * 256)]);
}
