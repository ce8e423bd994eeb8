// Where a document came from: its channel and, for e-mail and folders, the details a person needs to find it.
import { z } from 'zod';

export const CHANNELS = ['api', 'upload', 'email', 'folder'] as const;

export const EmailOrigin = z.object({
  channel: z.literal('email'),
  mailbox: z.string().describe('The inbox it was taken from (its name)'),
  messageId: z.string().describe("The e-mail's Message-ID"),
  from: z.string().nullable().describe("The sender's address"),
  subject: z.string().nullable(),
  attachment: z.string().describe("The attachment's file name"),
  entry: z
    .string()
    .optional()
    .describe("The file's path inside the attachment, when the attachment is a ZIP archive"),
});

export const FolderOrigin = z.object({
  channel: z.literal('folder'),
  folder: z.string().describe('The watched folder'),
  path: z.string().describe("The file's path inside it, as it was dropped"),
});

/** API and upload page: the channel alone (the key that sent it is `submittedBy`). */
export const PlainOrigin = z.object({ channel: z.string() });

export const Origin = z.union([EmailOrigin, FolderOrigin, PlainOrigin]);
export type Origin = z.infer<typeof Origin>;
export type EmailOrigin = z.infer<typeof EmailOrigin>;
export type FolderOrigin = z.infer<typeof FolderOrigin>;

/** One line for a person: the export's `origin` column and the review page. */
export function describeOrigin(origin: Origin): string {
  if ('mailbox' in origin) {
    return [
      `e-mail to ${origin.mailbox}`,
      origin.from && `from ${origin.from}`,
      origin.subject && `"${origin.subject}"`,
      origin.entry ? `${origin.attachment} › ${origin.entry}` : origin.attachment,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  if ('folder' in origin) return `folder ${origin.folder} · ${origin.path}`;
  return origin.channel === 'upload' ? 'upload page' : origin.channel;
}
