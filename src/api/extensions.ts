// The parts of the web app beyond the core API (review, pages, figures), registered after the core routes.
import type { AppOptions } from './app.ts';

export const extensions: NonNullable<AppOptions['extensions']> = [];
export const authenticators: NonNullable<AppOptions['authenticators']> = [];
