// Inboxes as an admin manages them: added with their password sealed, listed without it.
import { InboxSettings } from '../contract/inbox.ts';
import type { Clock } from '../storage/clock.ts';
import type { InboxesRepository, InboxRecord } from '../storage/inboxes.repository.ts';
import { AppError } from './errors.ts';
import type { SecretBox } from './secret-box.ts';

/** An inbox as shown: everything but the password. */
export type InboxView = Omit<InboxRecord, 'passwordSealed'>;

export const viewOf = ({ passwordSealed: _hidden, ...inbox }: InboxRecord): InboxView => inbox;

export class InboxService {
  constructor(
    private readonly inboxes: Pick<InboxesRepository, 'create' | 'list' | 'find' | 'remove'>,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
  ) {}

  async add(input: InboxSettings): Promise<InboxView> {
    const { password, ...settings } = InboxSettings.parse(input);
    const created = await this.inboxes.create(
      { ...settings, passwordSealed: this.secrets.seal(password) },
      this.clock.now(),
    );
    if (!created) throw new AppError(409, 'inbox_exists', `An inbox named ${settings.name} exists already.`);
    return viewOf(created);
  }

  async list(): Promise<InboxView[]> {
    return (await this.inboxes.list()).map(viewOf);
  }

  async remove(idOrName: string): Promise<boolean> {
    return this.inboxes.remove(idOrName);
  }
}
