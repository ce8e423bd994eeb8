// When a PDF page's text layer is good enough to read fields from, and when the page must go to OCR instead.
import { describe, expect, it } from 'vitest';
import type { Word } from '../../src/pipeline/layout.ts';
import { hasUsableTextLayer } from '../../src/pipeline/text-layer.ts';

function page(text: string) {
  const words: Word[] = text
    .split(/\s+/)
    .filter(Boolean)
    .map((t, i) => ({ text: t, bbox: [i * 40, 100, i * 40 + 35, 112], confidence: 1, source: 'text-layer' }));
  return { width: 595, height: 842, words };
}

describe('hasUsableTextLayer', () => {
  it('accepts a page of invoice text', () => {
    expect(
      hasUsableTextLayer(page('Nota fiscal número 000.123 Data de emissão 15/03/2025 Total R$ 708,07')),
    ).toBe(true);
    expect(
      hasUsableTextLayer(page('Invoice number INV-2025-0042 Invoice date 15/03/2025 Total 708.07')),
    ).toBe(true);
  });

  it('sends a page with no text, or only a stamp and a page number, to OCR', () => {
    expect(hasUsableTextLayer(page(''))).toBe(false);
    expect(hasUsableTextLayer(page('COPY 1/2'))).toBe(false);
    expect(hasUsableTextLayer(page('Scanned by CamScanner'))).toBe(false);
  });

  it('sends a layer of mis-encoded glyphs to OCR', () => {
    // What a font without a usable ToUnicode map gives: replacement and private-use characters.
    const broken = Array.from({ length: 15 }, (_, i) => `ab${String.fromCodePoint(0xe000 + i)}c\uFFFD`).join(
      ' ',
    );
    expect(hasUsableTextLayer(page(broken))).toBe(false);
    // Symbol soup: characters, but hardly any letters or digits.
    expect(
      hasUsableTextLayer(page('#$%& *+=~ ^|<> §¶†‡ •…‰ ⁂※ ## ** ++ ~~ ab cd ef gh ij kl mn op qr st uv')),
    ).toBe(false);
    // Consonant runs with no vowels or digits: a font whose codes map to the wrong Latin letters.
    expect(hasUsableTextLayer(page('Xkrtpq Zvbnmk Hjklqw Prtsvb Wqxzlk Mnbvcx Trpqsz Klmnbv Fghjkl'))).toBe(
      false,
    );
  });

  it('does not hold non-Latin text to the vowel test', () => {
    expect(
      hasUsableTextLayer(page('請求書 番号 二〇二五 合計金額 七百八円 支払期日 三月十五日 株式会社 東京')),
    ).toBe(true);
  });
});
