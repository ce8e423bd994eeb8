// The parts of the web app beyond the core API (review, pages, figures), registered after the core routes.
import type { AppOptions } from './app.ts';
import { registerApprovals } from './routes/approvals.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { pageRoutes } from './routes/pages.ts';
import { registerReview } from './routes/review.ts';
import { registerSessions, sessionAuthenticator } from './routes/session.ts';

export const extensions: NonNullable<AppOptions['extensions']> = [];
export const authenticators: NonNullable<AppOptions['authenticators']> = [];

extensions.push(metricsRoutes);
// The review API and the web sessions (cookie sign-in with its CSRF guard).
extensions.push(registerSessions, registerReview, registerApprovals);
authenticators.push(sessionAuthenticator);
// The web pages (/login, /upload, /review) on the API above.
extensions.push(pageRoutes);
