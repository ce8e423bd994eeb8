// The channels that fetch documents themselves (the watched folder, the inboxes), started by `serve` and by
// their own roles (`watch`, `mail`) over the same intake service as uploads.
import { openDropFolder } from '../adapters/drop-folder.ts';
import { openMailbox } from '../adapters/imap.ts';
import { ConfigError } from '../config/env.ts';
import { messageOf } from '../services/errors.ts';
import { FolderIntakeService } from '../services/folder-intake.ts';
import { MailIntakeService } from '../services/mail-intake.ts';
import type { AppContext } from './context.ts';

export type ChannelRole = 'serve' | 'watch' | 'mail';

export async function startChannels(ctx: AppContext, role: ChannelRole): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  const { config } = ctx;
  if (role === 'watch' && !config.WATCH_DIR) {
    throw new ConfigError('retaguarda watch takes files from a folder: set WATCH_DIR to it.');
  }
  if ((role === 'serve' || role === 'watch') && config.WATCH_DIR) {
    const log = ctx.log.child({ channel: 'folder' });
    const folder = openDropFolder(config.WATCH_DIR, {
      settleMs: config.WATCH_SETTLE_MS,
      scanIntervalMs: config.WATCH_SCAN_SECONDS * 1000,
      onError: (e) => log.error({ err: messageOf(e) }, 'watching the folder failed'),
    });
    const service = new FolderIntakeService(
      folder,
      ctx.intake,
      ctx.repos.documents,
      ctx.repos.intakeRefusals,
      ctx.clock,
      log,
      { businessUnit: config.WATCH_BUSINESS_UNIT },
    );
    await service.start();
    stops.push(() => service.stop());
  }
  if (role === 'serve' || role === 'mail') {
    const mail = new MailIntakeService(
      ctx.repos.inboxes,
      ctx.repos.documents,
      ctx.repos.intakeRefusals,
      ctx.intake,
      ctx.secrets,
      openMailbox,
      ctx.clock,
      ctx.log.child({ channel: 'email' }),
      { pollSeconds: config.MAIL_POLL_SECONDS },
    );
    mail.start();
    stops.push(() => mail.stop());
  }
  return async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
}
