// A PDF page drawn with y measured from the top, in the three standard font families and their weights.
import { type PDFDocument, type PDFFont, type PDFImage, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import type { FontFamily } from './spec.ts';

export type Weight = 'regular' | 'bold' | 'italic' | 'boldItalic';
export type Align = 'left' | 'right' | 'center';
export type Colour = ReturnType<typeof rgb>;

export const INK = rgb(0.1, 0.1, 0.12);
export const GREY = rgb(0.4, 0.4, 0.44);
export const LIGHT = rgb(0.82, 0.82, 0.85);
export const WHITE = rgb(1, 1, 1);

const STANDARD: Record<FontFamily, Record<Weight, StandardFonts>> = {
  Helvetica: {
    regular: StandardFonts.Helvetica,
    bold: StandardFonts.HelveticaBold,
    italic: StandardFonts.HelveticaOblique,
    boldItalic: StandardFonts.HelveticaBoldOblique,
  },
  Times: {
    regular: StandardFonts.TimesRoman,
    bold: StandardFonts.TimesRomanBold,
    italic: StandardFonts.TimesRomanItalic,
    boldItalic: StandardFonts.TimesRomanBoldItalic,
  },
  Courier: {
    regular: StandardFonts.Courier,
    bold: StandardFonts.CourierBold,
    italic: StandardFonts.CourierOblique,
    boldItalic: StandardFonts.CourierBoldOblique,
  },
};

export type FontSet = Record<FontFamily, Record<Weight, PDFFont>>;

export async function embedFonts(doc: PDFDocument): Promise<FontSet> {
  const out = {} as FontSet;
  for (const family of Object.keys(STANDARD) as FontFamily[]) {
    const weights = {} as Record<Weight, PDFFont>;
    for (const weight of Object.keys(STANDARD[family]) as Weight[]) {
      weights[weight] = await doc.embedFont(STANDARD[family][weight]);
    }
    out[family] = weights;
  }
  return out;
}

export interface TextOptions {
  size?: number;
  family?: FontFamily;
  weight?: Weight;
  align?: Align;
  color?: Colour;
  /** Shrink the size until the text fits in this width (never below 5 pt). */
  fit?: number;
  /** Extra space between letters, in points: drawn letter by letter. */
  spacing?: number;
}

export class Sheet {
  constructor(
    readonly page: PDFPage,
    private readonly fonts: FontSet,
    readonly family: FontFamily,
  ) {}

  get width(): number {
    return this.page.getWidth();
  }

  get height(): number {
    return this.page.getHeight();
  }

  font(opts: TextOptions): PDFFont {
    return this.fonts[opts.family ?? this.family][opts.weight ?? 'regular'];
  }

  measure(s: string, opts: TextOptions = {}): number {
    const font = this.font(opts);
    const size = opts.size ?? 10;
    const spacing = opts.spacing ?? 0;
    return font.widthOfTextAtSize(s, size) + spacing * Math.max(0, s.length - 1);
  }

  /** Draws `s` with its baseline at `y` (from the top); returns the width drawn. */
  text(s: string, x: number, y: number, opts: TextOptions = {}): number {
    let size = opts.size ?? 10;
    if (opts.fit !== undefined) {
      while (this.measure(s, { ...opts, size }) > opts.fit && size > 5) size -= 0.25;
      if (this.measure(s, { ...opts, size }) > opts.fit + 0.5) {
        throw new Error(`"${s}" does not fit in ${opts.fit.toFixed(0)}pt`);
      }
    }
    const o = { ...opts, size };
    const font = this.font(o);
    const w = this.measure(s, o);
    const left = o.align === 'right' ? x - w : o.align === 'center' ? x - w / 2 : x;
    const base = this.height - y;
    const color = o.color ?? INK;
    if (o.spacing) {
      let cx = left;
      for (const ch of s) {
        this.page.drawText(ch, { x: cx, y: base, size, font, color });
        cx += font.widthOfTextAtSize(ch, size) + o.spacing;
      }
    } else {
      this.page.drawText(s, { x: left, y: base, size, font, color });
    }
    return w;
  }

  rule(x0: number, x1: number, y: number, thickness = 0.7, color: Colour = GREY): void {
    this.page.drawLine({
      start: { x: x0, y: this.height - y },
      end: { x: x1, y: this.height - y },
      thickness,
      color,
    });
  }

  vrule(x: number, y0: number, y1: number, thickness = 0.6, color: Colour = GREY): void {
    this.page.drawLine({
      start: { x, y: this.height - y0 },
      end: { x, y: this.height - y1 },
      thickness,
      color,
    });
  }

  /** A rectangle from (x0, top) to (x1, bottom); filled, stroked or both. */
  rect(
    x0: number,
    top: number,
    x1: number,
    bottom: number,
    opts: { fill?: Colour; stroke?: Colour; width?: number } = {},
  ): void {
    this.page.drawRectangle({
      x: x0,
      y: this.height - bottom,
      width: x1 - x0,
      height: bottom - top,
      ...(opts.fill ? { color: opts.fill } : {}),
      ...(opts.stroke ? { borderColor: opts.stroke, borderWidth: opts.width ?? 0.7 } : {}),
    });
  }

  circle(cx: number, cy: number, r: number, fill: Colour): void {
    this.page.drawCircle({ x: cx, y: this.height - cy, size: r, color: fill });
  }

  image(img: PDFImage, x: number, top: number, width: number, height: number): void {
    this.page.drawImage(img, { x, y: this.height - top - height, width, height });
  }
}

export function colour([r, g, b]: [number, number, number]): Colour {
  return rgb(r, g, b);
}

/** A lighter tint of a colour, for bands and sidebars. */
export function tint([r, g, b]: [number, number, number], amount: number): Colour {
  return rgb(r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount);
}
