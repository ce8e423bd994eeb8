// Where a thing is on a page: the box every word, line and field carries.
import { z } from 'zod';

/** [x0, y0, x1, y1] in page coordinates: origin top-left, y grows downwards. */
export const BBox = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .describe('[x0, y0, x1, y1] in page coordinates: origin top-left, y grows downwards');
export type BBox = z.infer<typeof BBox>;
