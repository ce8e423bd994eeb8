// OCR slips the reading path absorbs: a dash read with a box a few pixels high, labels whose words OCR ran
// together, an accent read as its neighbour.
import { describe, expect, it } from 'vitest';
import { extractBankAccount } from '../../src/pipeline/extract/bank.ts';
import { findLabels } from '../../src/pipeline/extract/labels.ts';
import { groupIntoLines, type Word } from '../../src/pipeline/layout.ts';

const word = (text: string, bbox: [number, number, number, number]): Word => ({
  text,
  bbox,
  confidence: 0.9,
  source: 'ocr',
});

describe('groupIntoLines with marks', () => {
  it('puts a flat dash on the line it sits in instead of splitting that line around it', () => {
    // As read from a scanned letterhead: the dash's box is 3 px high, a little below the words' centres.
    const words = [
      word('Av.', [154, 205, 191, 225]),
      word('Farrapos,', [203, 206, 318, 233]),
      word('3100', [329, 207, 389, 229]),
      word('-', [399, 219, 406, 222]),
      word('Navegantes', [416, 209, 562, 236]),
      word('Porto', [155, 244, 218, 265]),
      word('Alegre', [228, 244, 306, 272]),
      word('-', [317, 257, 323, 260]),
      word('RS,', [333, 246, 376, 270]),
    ];
    expect(groupIntoLines(words).map((l) => l.text)).toEqual([
      'Av. Farrapos, 3100 - Navegantes',
      'Porto Alegre - RS,',
    ]);
  });

  it('keeps a mark with no line near it as a line of its own', () => {
    const lines = groupIntoLines([
      word('Total', [10, 10, 80, 30]),
      word('1,00', [100, 10, 150, 30]),
      word('-', [10, 200, 16, 203]),
    ]);
    expect(lines.map((l) => l.text)).toEqual(['Total 1,00', '-']);
  });
});

describe('labels run together by OCR', () => {
  it('reads "BILLTO" and "DUEDATE" as the labels they are', () => {
    expect(findLabels('BILLTO', ['customer']).map((m) => m.label)).toEqual(['Bill To']);
    expect(findLabels('DUEDATE 03/05/2025', ['dueDate'])[0]).toMatchObject({ start: 0, end: 7 });
  });

  it('does not find a label in a word that only starts like one', () => {
    expect(findLabels('Billtown Hardware', ['customer'])).toEqual([]);
  });
});

describe('accents OCR reads as their neighbours', () => {
  it('reads a Brazilian bank line whose "Agência" came out as "Agéncia"', () => {
    const text = 'Banco do Brasil, Agéncia 9269, Conta Corrente 57733-0';
    const words = text.split(' ').map((t, i) => word(t, [100 + i * 120, 500, 210 + i * 120, 530]));
    const layout = {
      pages: [
        {
          number: 1,
          width: 1240,
          height: 1754,
          source: 'ocr' as const,
          rotation: 0,
          lines: groupIntoLines(words),
        },
      ],
    };
    expect(extractBankAccount(layout)?.value).toBe('Banco 001 Ag. 9269 C/C 57733-0');
  });
});
