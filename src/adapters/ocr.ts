// The OCR engine: page images prepared with sharp, read by a pool of tesseract.js workers (its parts in ocr/).
import { availableParallelism } from 'node:os';
import { DocumentError } from '../pipeline/errors.ts';
import { toTesseractCode } from '../pipeline/ocr-languages.ts';
import type { OcrEngine, OcrPage, OcrReadOptions, PageImage } from '../pipeline/ports.ts';
import { WorkerPool } from './ocr/pool.ts';
import { createLanguageMemory, type LanguageMemory, readPage } from './ocr/read-page.ts';

export interface OcrEngineOptions {
  /** Tesseract language codes (eng, por, spa); the first is the primary one. */
  languages?: string[];
  /** Workers in the pool; defaults to the number of cores. */
  poolSize?: number;
  /** Read an invoice's header band (above the first full-width rule) apart in sparse-text mode; default on. */
  headerBand?: boolean;
}

export function createOcrEngine(options: OcrEngineOptions = {}): OcrEngine {
  const languages = (options.languages?.length ? options.languages : ['eng', 'por', 'spa']).map(
    toTesseractCode,
  );
  const poolSize = Math.max(1, options.poolSize ?? availableParallelism());
  const headerBand = options.headerBand ?? true;
  const pool = new WorkerPool(languages, poolSize);
  // Preparation is mostly JavaScript on this thread, so pages gain nothing from preparing side by side, while
  // each holds several full-size copies (about 20 bytes a pixel) meanwhile: one page at a time.
  let preparing: Promise<unknown> = Promise.resolve();
  const prepare = <T>(work: () => Promise<T>): Promise<T> => {
    const run = preparing.then(work, work);
    preparing = run.catch(() => {});
    return run;
  };
  let closed = false;
  // Per set of languages asked for: what its last pages were read in.
  const memories = new Map<string, LanguageMemory>();

  /** The languages asked for, as the engine's tesseract codes; all of the engine's when none are given. */
  const resolve = (asked: readonly string[] | undefined): string[] => {
    const codes = [...new Set((asked?.length ? asked : languages).map(toTesseractCode))];
    const missing = codes.filter((code) => !languages.includes(code));
    if (missing.length) {
      throw new DocumentError(
        'ocr_failed',
        `OCR language ${missing.join(', ')} is not loaded; this engine reads ${languages.join('+')}.`,
      );
    }
    return codes;
  };

  return {
    warm: () => pool.start(),
    async readPage(image: PageImage, readOptions: OcrReadOptions = {}): Promise<OcrPage> {
      if (closed) throw new DocumentError('ocr_failed', 'The OCR engine has been closed.');
      const asked = resolve(readOptions.languages);
      const choose = readOptions.chooseLanguages;
      let recent = memories.get(asked.join('+'));
      if (!recent) {
        recent = createLanguageMemory();
        memories.set(asked.join('+'), recent);
      }
      try {
        return await readPage(image, (langs) => pool.recognizer(langs), {
          headerBand,
          parts: poolSize,
          prepare,
          recent,
          languages: asked,
          chooseLanguages:
            choose &&
            ((text) => {
              const chosen = choose(text);
              return chosen && resolve(chosen);
            }),
        });
      } catch (cause) {
        if (cause instanceof DocumentError) throw cause;
        throw new DocumentError('ocr_failed', 'The page image could not be read by OCR.', { cause });
      }
    },
    async close(): Promise<void> {
      closed = true;
      await pool.close();
    },
  };
}
