// Outgoing mail through nodemailer over SMTP: the replies that tell a sender which attachments were refused.
import nodemailer from 'nodemailer';

export interface OutgoingReply {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** The Message-ID answered, so the reply lands in the sender's thread. */
  inReplyTo?: string | undefined;
}

export interface Mailer {
  send(reply: OutgoingReply): Promise<void>;
  close(): void;
}

export function openMailer(url: string): Mailer {
  const transport = nodemailer.createTransport({
    url,
    // A mail server away must not hold an inbox's pass for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(reply) {
      await transport.sendMail({
        from: reply.from,
        to: reply.to,
        subject: reply.subject,
        text: reply.text,
        ...(reply.inReplyTo ? { inReplyTo: reply.inReplyTo, references: [reply.inReplyTo] } : {}),
        // RFC 3834: an automatic reply says so, and asks other robots (Exchange too) not to answer it.
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      });
    },
    close: () => transport.close(),
  };
}
