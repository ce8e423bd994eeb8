// What the reading pool and its processes say to each other: tasks, results and progress (structured clone over
// IPC). A module of its own so that the pool's side loads none of the reading code.
import type { DocumentFailure, Extraction } from '../contract/result.ts';
import type { Layout } from '../pipeline/layout.ts';
import type { ReadLimits } from '../pipeline/ports.ts';

export interface ReaderProcessOptions {
  languages: string[];
  ocrPoolSize: number;
  limits?: Partial<ReadLimits>;
  /** false: no second reader (PP-OCRv4) for lines left in doubt. */
  secondLook?: boolean;
}

/** The environment variable the options travel in. */
export const OPTIONS_VARIABLE = 'RETAGUARDA_READER_OPTIONS';

export type ReadTask = {
  kind: 'read';
  path: string;
  file: string;
  id?: string;
  /** A batch file cut where a reviewer cut it: each document's first and last page. */
  parts?: { first: number; last: number }[];
};
export type RenderTask = {
  kind: 'render';
  path: string;
  page: number;
  maxWidth?: number;
  /** Someone is waiting for it (a reviewer): ahead of the pages being kept after a reading. */
  urgent?: boolean;
  /** Degrees clockwise that turn the page upright, as the reading found them (the page's `rotation` in the
   * result's `pageSizes`): the boxes are in that upright frame, so the image must be too. */
  rotation?: number;
};
/** The extraction, and the layout it was read from (kept so a reviewer's corrections can be learned from it). */
export type ReadTaskResult = { result: Extraction | DocumentFailure; layout?: Layout };
export type RenderTaskResult =
  | { png: Uint8Array; width: number; height: number }
  | { error: string; code: string };

/** Messages between the pool and this process (structured clone over IPC). */
export type PoolRequest = { id: number; task: ReadTask | RenderTask };
export type ProcessMessage =
  | { ready: true }
  /** The document's page count, once known: the pool's time budget grows with it. */
  | { id: number; pages: number }
  | { id: number; result: ReadTaskResult | RenderTaskResult; rssMb: number }
  | { id: number; fault: string; rssMb: number };
