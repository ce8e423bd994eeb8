// The channels that fetch documents themselves (the watched folders, the inboxes), started by `serve` and by
// their own roles (`watch`, `mail`) over the same intake service as uploads.
import { openDropFolder } from '../adapters/drop-folder.ts';
import { openMailbox } from '../adapters/imap.ts';
import { openMailer } from '../adapters/smtp.ts';
import { messageOf } from '../services/errors.ts';
import { FolderIntakeService } from '../services/folder-intake.ts';
import { MailIntakeService } from '../services/mail-intake.ts';
import { FolderWatchers } from '../services/watch-folders.ts';
import type { AppContext } from './context.ts';

export type ChannelRole = 'serve' | 'watch' | 'mail';

export async function startChannels(ctx: AppContext, role: ChannelRole): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const { config } = ctx;
  if (role === 'serve' || role === 'watch') {
    const log = ctx.log.child({ channel: 'folder' });
    /** One folder watched: WATCH_DIR, or one of the table's. */
    const watchFolder = async (dir: string, businessUnit: string | undefined, create: boolean) => {
      const folder = openDropFolder(dir, {
        create,
        settleMs: config.WATCH_SETTLE_MS,
        scanIntervalMs: config.WATCH_SCAN_SECONDS * 1000,
        onError: (e) => log.error({ dir, err: messageOf(e) }, 'watching the folder failed'),
      });
      const service = new FolderIntakeService(
        folder,
        ctx.intake,
        ctx.repos.documents,
        ctx.repos.intakeRefusals,
        ctx.clock,
        log,
        { businessUnit },
      );
      await service.start();
      return () => service.stop();
    };
    if (config.WATCH_DIR) stops.push(await watchFolder(config.WATCH_DIR, config.WATCH_BUSINESS_UNIT, true));
    // The folders added through /v1/watch-folders: followed at once when this process changed them, and
    // within 10 s when another one (an API replica) did.
    const watchers = new FolderWatchers(
      ctx.repos.watchFolders,
      (f) => watchFolder(f.path, f.businessUnit ?? undefined, false),
      log,
      Math.min(config.WATCH_SCAN_SECONDS, 10) * 1000,
    );
    await watchers.start();
    const unsubscribe = ctx.watchFolders.onChange(() => void watchers.sync());
    stops.push(async () => {
      unsubscribe();
      await watchers.stop();
    });
    if (role === 'watch' && !config.WATCH_DIR && watchers.watching().length === 0) {
      log.warn({}, 'no folder to watch yet: set WATCH_DIR, or add one with POST /v1/watch-folders');
    }
  }
  if (role === 'serve' || role === 'mail') {
    const mailer = config.SMTP_URL ? openMailer(config.SMTP_URL) : undefined;
    const mail = new MailIntakeService(
      ctx.repos.inboxes,
      ctx.repos.documents,
      ctx.repos.intakeRefusals,
      ctx.intake,
      ctx.secrets,
      openMailbox,
      ctx.clock,
      ctx.log.child({ channel: 'email' }),
      {
        pollSeconds: config.MAIL_POLL_SECONDS,
        maxBytes: config.MAX_UPLOAD_BYTES,
        replies: mailer && { send: (r) => mailer.send(r), from: config.SMTP_FROM },
      },
    );
    mail.start();
    stops.push(async () => {
      await mail.stop();
      mailer?.close();
    });
  }
  return async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
}
