// The language of a text by its common words: English, Portuguese or Spanish.
import { foldText } from './extract/labels.ts';

/** Language by stopword counts; the classifier exports the same. English when nothing tips it. */
export function guessLanguage(text: string): 'en' | 'pt' | 'es' {
  const score = languageScores(text);
  if (score.pt >= score.es && score.pt > score.en) return 'pt';
  if (score.es > score.pt && score.es > score.en) return 'es';
  return 'en';
}

/** How many of the text's words are common English, Portuguese and Spanish words (accents folded). */
export function languageScores(text: string): { en: number; pt: number; es: number } {
  // "E-mail" is no Portuguese "e".
  const words =
    foldText(text)
      .replace(/\be-mail\b/g, 'email')
      .match(/[a-z]+/g) ?? [];
  const sets = {
    en: new Set([
      'the',
      'and',
      'of',
      'to',
      'for',
      'invoice',
      'date',
      'due',
      'total',
      'amount',
      'bill',
      'tax',
      'thank',
      'you',
      'qty',
      'price',
      'description',
      'payment',
      'from',
      'with',
    ]),
    pt: new Set([
      'de',
      'da',
      'do',
      'dos',
      'das',
      'e',
      'em',
      'para',
      'nota',
      'fiscal',
      'valor',
      'emissao',
      'vencimento',
      'fatura',
      'destinatario',
      'produtos',
      'servicos',
      'quantidade',
      'descricao',
      'obrigado',
      'cliente',
      'nao',
      'com',
    ]),
    es: new Set([
      'de',
      'del',
      'la',
      'el',
      'los',
      'las',
      'y',
      'en',
      'para',
      'factura',
      'fecha',
      'importe',
      'base',
      'imponible',
      'iva',
      'cantidad',
      'descripcion',
      'precio',
      'gracias',
      'cliente',
      'vencimiento',
      'con',
      'por',
    ]),
  };
  const score = { en: 0, pt: 0, es: 0 };
  for (const w of words) for (const k of ['en', 'pt', 'es'] as const) if (sets[k].has(w)) score[k]++;
  return score;
}
