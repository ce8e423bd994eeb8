// An inbox the service takes documents from: its settings as an admin gives them, and the rules that pick
// which e-mails and attachments become documents.
import { z } from 'zod';

const isPattern = (s: string) => {
  try {
    new RegExp(s, 'iu');
    return true;
  } catch {
    return false;
  }
};

export const ATTACHMENT_KINDS = ['pdf', 'image', 'xml'] as const;

export const InboxRules = z.object({
  senders: z
    .array(z.string().trim().toLowerCase().min(2).max(254))
    .max(200)
    .default([])
    .describe(
      'Addresses (ap@acme.example) or domains (@acme.example) whose e-mails are taken; empty: every sender',
    ),
  attachmentTypes: z
    .array(z.enum(ATTACHMENT_KINDS))
    .default([])
    .describe('Which kinds of attachment become documents; empty: every kind the service reads'),
  externalRefPattern: z
    .string()
    .max(200)
    .refine(isPattern, 'not a valid regular expression')
    .optional()
    .describe(
      'A regular expression over the subject; its first group (or the match) becomes the externalRef',
    ),
  businessUnit: z.string().max(60).optional().describe('The business unit of the documents taken'),
  replyToRefused: z
    .boolean()
    .default(false)
    .describe(
      'Reply to the sender of an e-mail with refused attachments, once, naming each and why (needs SMTP_URL)',
    ),
});
export type InboxRules = z.infer<typeof InboxRules>;

export const InboxSettings = z.object({
  name: z.string().trim().min(1).max(80).describe('A name people know it by (ap-invoices)'),
  host: z.string().trim().min(1).max(253),
  port: z.coerce.number().int().min(1).max(65535).default(993),
  tls: z
    .boolean()
    .default(true)
    .describe('IMAP over TLS (993); false: plain IMAP (143), for a local test server'),
  username: z.string().min(1).max(320),
  password: z.string().min(1).max(4096).describe('Stored encrypted; never returned'),
  folder: z.string().min(1).max(200).default('INBOX'),
  processedFolder: z.string().min(1).max(200).default('Processed'),
  refusedFolder: z.string().min(1).max(200).default('Refused'),
  rules: InboxRules.default({ senders: [], attachmentTypes: [], replyToRefused: false }),
});
export type InboxSettings = z.infer<typeof InboxSettings>;
