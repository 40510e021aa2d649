// WCAG 2.x contrast, for colours that come from outside the palette (Gmail's label colours): Gmail pairs some
// backgrounds with a text colour below AA (white on #4a86e8 is 3.57:1); there the darker or lighter text wins.

function channel(v: number): number {
  const s = v / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of a #rgb / #rrggbb colour, or null when it is not one. */
export function luminance(hex: string): number | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: string, b: string): number | null {
  const la = luminance(a);
  const lb = luminance(b);
  if (la === null || lb === null) return null;
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

const DARK_TEXT = '#1d2026';
const LIGHT_TEXT = '#ffffff';

/** `preferred` on `background` if that reads at 4.5:1, else whichever of near-black and white reads better. */
export function readableText(background: string, preferred: string): string {
  const ratio = contrastRatio(preferred, background);
  if (ratio === null || ratio >= 4.5) return preferred;
  return (contrastRatio(DARK_TEXT, background) ?? 0) >= (contrastRatio(LIGHT_TEXT, background) ?? 0) ? DARK_TEXT : LIGHT_TEXT;
}
