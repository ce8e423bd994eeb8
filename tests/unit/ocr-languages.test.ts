import { describe, expect, it } from 'vitest';
import {
  canChooseOcrLanguages,
  chooseOcrLanguages,
  ocrReadOptions,
} from '../../src/pipeline/ocr-languages.ts';

const ALL = ['eng', 'por', 'spa'];

describe('choosing the OCR languages of a page from text read in the first one', () => {
  it('reads a Portuguese or Spanish page in its language, with the first language beside it', () => {
    // As the English model reads them: accents dropped.
    expect(chooseOcrLanguages('NOTA FISCAL Data de Emissao 15/03/2025 Valor Total', ALL)).toEqual([
      'por',
      'eng',
    ]);
    expect(chooseOcrLanguages('FACTURA Fecha de emision Importe total IVA 21%', ALL)).toEqual(['spa', 'eng']);
  });

  it('reads an English page in English alone', () => {
    expect(chooseOcrLanguages('TAX INVOICE Date 12/03/2018 Total amount due', ALL)).toEqual(['eng']);
  });

  it('cannot tell from a name and numbers, nor from a tie', () => {
    expect(chooseOcrLanguages('MR D.I.Y. (M) SDN BHD 860671-D', ALL)).toBeUndefined();
    expect(chooseOcrLanguages('para de', ALL)).toBeUndefined();
    expect(chooseOcrLanguages('Total de', ALL)).toBeUndefined();
  });

  it('never picks a language that is not configured', () => {
    expect(chooseOcrLanguages('Fecha de emision Importe total IVA', ['eng', 'por'])).toBeUndefined();
    expect(chooseOcrLanguages('Data de Emissao Valor Total', ['por', 'eng'])).toEqual(['por']);
    expect(chooseOcrLanguages('Invoice date total amount due', ['por', 'eng'])).toEqual(['eng', 'por']);
  });

  it('takes ISO codes as well, and does not count the "e" of "E-mail" as Portuguese', () => {
    expect(canChooseOcrLanguages(['en', 'pt', 'es'])).toBe(true);
    expect(chooseOcrLanguages('Data de Emissao Valor Total', ['en', 'pt', 'es'])).toEqual(['por', 'eng']);
    expect(chooseOcrLanguages('E-mail: shop@example.com E-mail orders Total', ALL)).toBeUndefined();
  });

  it('only chooses among languages it can tell apart', () => {
    expect(canChooseOcrLanguages(ALL)).toBe(true);
    expect(canChooseOcrLanguages(['eng'])).toBe(false);
    expect(canChooseOcrLanguages(['eng', 'fra'])).toBe(false);
    // What the reader asks the engine for: a choice only where one can be made.
    expect(ocrReadOptions(['eng', 'fra'])).toEqual({ languages: ['eng', 'fra'] });
    expect(ocrReadOptions(ALL).chooseLanguages?.('Data de Emissao Valor Total')).toEqual(['por', 'eng']);
  });
});
