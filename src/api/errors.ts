// How an AppError becomes an answer: its status and `{ error, message, …extra }`. The app's error handler
// uses it for everything thrown; the hooks that refuse a request before its route runs (auth, the CSRF
// guard, the queues' dashboard guard) call it directly, because what a hook throws on the dashboard's
// routes would reach that plugin's own error handler instead of ours.
import type { FastifyReply } from 'fastify';
import type { AppError } from '../services/errors.ts';

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...error.extra });
}
