// /upload: each file is its own request (one refused file never holds back the others); each row follows its
// document to its final state by polling GET /v1/documents/:id.
import { api, fill, h, money, reasonLabel, requireSession, sleep, when } from './common.js';

const STATUS_TEXT = {
  uploading: 'Uploading…',
  received: 'Received, waiting for a worker…',
  processing: 'Reading…',
  auto_approved: 'Approved automatically',
  needs_review: 'Sent to review',
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  rejected: 'Rejected',
  failed: 'Failed',
  refused: 'Refused',
};
const FINAL = new Set([
  'auto_approved',
  'needs_review',
  'awaiting_approval',
  'approved',
  'rejected',
  'failed',
]);

await requireSession('ingest');

const drop = document.getElementById('drop');
const input = document.getElementById('file-input');
const sent = document.getElementById('sent');
const reference = document.getElementById('reference');

drop.addEventListener('click', () => input.click());
for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
}
for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
// A file dropped beside the zone is not opened by the browser in place of the page.
for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  sendAll([...(e.dataTransfer?.files ?? [])]);
});
input.addEventListener('change', () => {
  sendAll([...input.files]);
  input.value = '';
});

function sendAll(files) {
  for (const file of files) send(file);
}

function row(fileName) {
  document.getElementById('sent-empty').hidden = true;
  const status = h('span', { class: 'status', 'data-status': 'uploading' }, STATUS_TEXT.uploading);
  const detail = h('div', { class: 'detail' });
  const li = h('li', { class: 'upload-row' }, h('span', { class: 'file' }, fileName), status, detail);
  sent.prepend(li);
  return {
    li,
    set(state, text) {
      status.dataset.status = state;
      status.textContent = text ?? STATUS_TEXT[state] ?? state;
      li.dataset.status = state;
    },
    detail: (...children) => fill(detail, ...children),
  };
}

async function send(file) {
  const r = row(file.name);
  const form = new FormData();
  form.append('source', 'upload');
  const ref = reference.value.trim();
  if (ref) form.append('externalRef', ref);
  form.append('file', file, file.name);
  const res = await api('/v1/documents', { method: 'POST', form });
  if (!res.ok) {
    const why = res.body?.files?.[0]?.message ?? res.body?.message ?? `Refused (${res.status}).`;
    r.set('refused');
    r.detail(h('p', { class: 'why', role: 'alert' }, why));
    return;
  }
  const doc = res.body.documents[0];
  r.li.dataset.documentId = doc.id;
  r.set(doc.status);
  await follow(doc.id, r);
  refreshRecent();
}

async function follow(id, r) {
  for (let wait = 500; ; wait = Math.min(wait * 1.3, 3000)) {
    const res = await api(`/v1/documents/${encodeURIComponent(id)}`);
    if (res.ok) {
      const doc = res.body;
      r.set(doc.status);
      if (FINAL.has(doc.status)) {
        r.detail(outcome(doc));
        return;
      }
    }
    await sleep(wait);
  }
}

function outcome(doc) {
  if (doc.status === 'failed') {
    return h('p', { class: 'why', role: 'alert' }, doc.error?.message ?? 'It could not be read.');
  }
  const parts = [];
  parts.push(
    h(
      'p',
      { class: 'route' },
      `Route: ${doc.route === 'auto' ? 'straight through' : doc.route === 'review' ? 'review' : '—'}`,
    ),
  );
  if (doc.vendorName || doc.totalAmount) {
    parts.push(
      h(
        'p',
        { class: 'facts' },
        [doc.vendorName, money(doc.totalAmount, doc.currency)].filter(Boolean).join(' · '),
      ),
    );
  }
  if (doc.status === 'needs_review') {
    const reasons = doc.review?.reasons ?? [];
    const messages = (doc.issues ?? []).filter((i) => reasons.length === 0 || reasons.includes(i.code));
    parts.push(
      h(
        'ul',
        { class: 'reasons', 'aria-label': 'Why it needs review' },
        messages.length
          ? messages.map((i) =>
              h('li', { 'data-code': i.code }, h('strong', {}, reasonLabel(i.code)), ': ', i.message),
            )
          : reasons.map((code) => h('li', { 'data-code': code }, reasonLabel(code))),
      ),
    );
  }
  return parts;
}

async function refreshRecent() {
  const res = await api('/v1/documents?mine=true&source=upload&limit=20');
  const body = document.getElementById('recent');
  if (!res.ok) {
    fill(body, h('tr', {}, h('td', { colspan: 5 }, res.body?.message ?? 'Could not load your uploads.')));
    return;
  }
  const docs = res.body.documents;
  if (docs.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No uploads yet.')));
    return;
  }
  fill(
    body,
    docs.map((d) =>
      h(
        'tr',
        { 'data-document-id': d.id },
        h('td', {}, d.fileName),
        h(
          'td',
          {},
          h('span', { class: 'status', 'data-status': d.status }, STATUS_TEXT[d.status] ?? d.status),
        ),
        h('td', {}, d.vendorName ?? '—'),
        h('td', { class: 'num' }, money(d.totalAmount, d.currency)),
        h('td', {}, when(d.receivedAt)),
      ),
    ),
  );
}

/** Attachments and dropped files nobody sent from this page, refused with a reason: shown when there are any. */
async function refreshRefused() {
  const res = await api('/v1/intake-refusals?limit=10');
  const section = document.getElementById('refused-section');
  // A key or user limited to some documents cannot see the channels' refusals: the section stays hidden.
  if (!res.ok || res.body.refusals.length === 0) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  fill(
    document.getElementById('refused'),
    res.body.refusals.map((r) =>
      h(
        'tr',
        { 'data-code': r.error },
        h('td', {}, r.fileName),
        h('td', {}, refusedFrom(r.origin)),
        h('td', {}, r.message),
        h('td', {}, when(r.at)),
      ),
    ),
  );
}

function refusedFrom(origin) {
  if (origin.channel === 'email')
    return `e-mail from ${origin.from ?? 'an unknown sender'} to ${origin.mailbox}${
      origin.entry ? `, in ${origin.attachment}` : ''
    }`;
  if (origin.channel === 'folder') return `folder: ${origin.path}`;
  return origin.channel;
}

refreshRecent();
refreshRefused();
setInterval(refreshRecent, 15000);
setInterval(refreshRefused, 15000);
