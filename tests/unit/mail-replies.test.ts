// Whom the service answers about refused attachments: people, once; never robots, lists, bounces or itself.
import { describe, expect, it } from 'vitest';
import { refusalReply, whyNoReply } from '../../src/services/mail-intake.ts';

const own = ['Accounts payable <ap@ourcompany.example>', 'ap@ourcompany.example'];
const headers = (h: Record<string, unknown> = {}) => new Map(Object.entries(h));

describe('replies to senders', () => {
  it('answers a person', () => {
    expect(whyNoReply(headers({ 'auto-submitted': 'no' }), 'billing@acme.example', own)).toBeUndefined();
  });

  it('never answers robots, automatic or bulk mail, lists, bounces or its own address', () => {
    const cases: [Map<string, unknown>, string | null][] = [
      [headers(), null],
      [headers(), 'ap@ourcompany.example'],
      [headers(), 'mailer-daemon@mx.acme.example'],
      [headers(), 'postmaster@acme.example'],
      [headers(), 'no-reply@acme.example'],
      [headers(), 'noreply+invoices@acme.example'],
      [headers({ 'auto-submitted': 'auto-generated' }), 'billing@acme.example'],
      [headers({ precedence: 'bulk' }), 'billing@acme.example'],
      [headers({ precedence: 'list' }), 'billing@acme.example'],
      [headers({ list: { id: { name: 'ap' } } }), 'billing@acme.example'],
      [headers({ 'return-path': { text: '<>' } }), 'billing@acme.example'],
    ];
    for (const [h, sender] of cases) expect(whyNoReply(h, sender, own)).toEqual(expect.any(String));
  });

  it('names each refused file once and says what was taken', () => {
    const { subject, text } = refusalReply(
      { name: 'ap-invoices' },
      'March',
      [
        { fileName: 'notes.txt', message: 'notes.txt: This looks like a plain text file.' },
        { fileName: 'old.zip', message: 'An archive inside march.zip.' },
      ],
      1,
    );
    expect(subject).toBe('Not taken: March');
    expect(text).toContain('- notes.txt: This looks like a plain text file.\n');
    expect(text).toContain('- old.zip: An archive inside march.zip.\n');
    expect(text).toContain('The other file was taken and will be processed.');
  });
});
