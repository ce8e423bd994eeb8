// The approvals page: the documents waiting at a stage the signed-in person may approve (or approve for someone
// away), one document's stages, fields and first page, approve and reject, and the away form. Refusals (the
// person corrected the document, uploaded it, approved an earlier step) are shown as the service words them.
import { api, fill, h, money, requireSession, when } from '/static/common.js';

await requireSession('review');
const $ = (id) => document.getElementById(id);
let openId = new URLSearchParams(location.search).get('doc');

const stageLine = (s) => `Stage ${s.position} of ${s.of}: ${s.name}`;
const SLA_WORDS = { overdue: 'overdue', at_risk: 'at risk', on_time: 'on time' };

async function loadQueue() {
  const res = await api('/v1/approvals');
  const items = res.ok ? res.body.items : [];
  $('approvals-count').textContent = `(${items.length})`;
  $('approvals-empty').hidden = items.length > 0;
  fill(
    $('approvals'),
    items.map((it) =>
      h(
        'li',
        { class: `approval-item${it.documentId === openId ? ' open' : ''}` },
        h(
          'a',
          {
            href: `/approvals?doc=${encodeURIComponent(it.documentId)}`,
            'aria-current': it.documentId === openId ? 'true' : undefined,
            onclick: (e) => {
              e.preventDefault();
              open(it.documentId);
            },
          },
          h('span', { class: 'vendor' }, it.vendorName ?? it.fileName),
          h('span', { class: 'amount' }, money(it.totalAmount, it.currency)),
          h('span', { class: 'stage' }, stageLine(it.stage)),
          h(
            'span',
            {
              class: `badge ${it.stage.slaState === 'overdue' ? 'overdue' : it.stage.slaState === 'at_risk' ? 'at-risk' : ''}`,
            },
            `${SLA_WORDS[it.stage.slaState] ?? ''} · due ${when(it.stage.slaDeadline)}`,
          ),
          it.actingFor ? h('span', { class: 'for' }, `for ${it.actingFor.name}`) : null,
        ),
      ),
    ),
  );
  return items;
}

function stageRow(s, current) {
  const state = s.decision
    ? `${s.decision === 'approved' ? 'Approved' : 'Rejected'} by ${s.decidedBy?.name ?? '—'}${s.onBehalfOf ? ` on behalf of ${s.onBehalfOf.name}` : ''}, ${when(s.decidedAt)}${s.reason ? ` (${s.reason})` : ''}`
    : s.enteredAt
      ? `Waiting since ${when(s.enteredAt)}; due ${when(s.slaDeadline)}`
      : 'Ahead';
  return h(
    'li',
    { class: `stage-row${current && current.position === s.position ? ' current' : ''}` },
    h('strong', {}, stageLine(s)),
    h('span', { class: 'muted' }, ` · needs ${s.role} · ${s.matched}`),
    h('div', {}, state),
  );
}

async function open(id) {
  openId = id;
  history.replaceState(null, '', `/approvals?doc=${encodeURIComponent(id)}`);
  for (const li of document.querySelectorAll('.approval-item')) li.classList.remove('open');
  const section = $('approval');
  section.setAttribute('aria-busy', 'true');
  const res = await api(`/v1/approvals/${encodeURIComponent(id)}`);
  section.setAttribute('aria-busy', 'false');
  if (!res.ok) {
    fill(section, h('p', { class: 'notice error', role: 'alert' }, res.body.message));
    return;
  }
  const d = res.body;
  const doc = d.document;
  const message = h('p', { id: 'approval-message', class: 'notice', role: 'alert', hidden: true });
  const reason = h('textarea', { id: 'reject-reason', rows: 2, 'aria-describedby': 'reject-hint' });
  const decide = async (action) => {
    message.hidden = true;
    const body = action === 'reject' ? { reason: reason.value } : {};
    const out = await api(`/v1/approvals/${encodeURIComponent(id)}/${action}`, { method: 'POST', body });
    if (!out.ok) {
      message.className = 'notice error';
      message.textContent = out.body.message;
      message.hidden = false;
      // Said once: the refusal above the buttons gives way to the same words in answer to the press.
      const before = $('refusal');
      if (before && before.textContent === out.body.message) before.hidden = true;
      return;
    }
    message.className = 'notice ok';
    message.textContent =
      out.body.status === 'approved'
        ? 'Approved: the document is final.'
        : out.body.status === 'rejected'
          ? 'Rejected: the sender is told why.'
          : `Approved; it moves on to ${out.body.next ? stageLine(out.body.next) : 'the next stage'}.`;
    message.hidden = false;
    await loadQueue();
    const again = await api(`/v1/approvals/${encodeURIComponent(id)}`);
    if (again.ok)
      fill(
        $('stages-list'),
        again.body.stages.map((s) => stageRow(s, again.body.current)),
      );
    for (const b of section.querySelectorAll('.decide button')) b.disabled = true;
  };
  const page = d.pages[0];
  fill(
    section,
    h(
      'div',
      { class: 'approval-head' },
      h('h2', {}, doc.vendorName ?? doc.fileName),
      h(
        'p',
        { class: 'sub' },
        `${doc.fileName} · ${money(doc.totalAmount, doc.currency)} · ${doc.status.replace('_', ' ')}`,
      ),
      d.current
        ? h('p', { class: 'current-stage' }, `${stageLine(d.current)}, needs the ${d.current.role} role`)
        : null,
      d.actingFor
        ? h('p', { class: 'notice warning' }, `You act on behalf of ${d.actingFor.name}, who is away.`)
        : null,
      d.refusal ? h('p', { class: 'notice error', id: 'refusal' }, d.refusal) : null,
    ),
    d.current
      ? h(
          'div',
          { class: 'decide' },
          h(
            'button',
            { type: 'button', class: 'primary', id: 'approve', onclick: () => decide('approve') },
            'Approve stage',
          ),
          h('label', { for: 'reject-reason' }, 'Reason to reject'),
          reason,
          h('span', { id: 'reject-hint', class: 'muted' }, 'The sender is told this reason.'),
          h(
            'button',
            { type: 'button', class: 'danger', id: 'reject', onclick: () => decide('reject') },
            'Reject',
          ),
        )
      : null,
    message,
    h('h3', {}, 'Stages'),
    h(
      'ol',
      { id: 'stages-list', class: 'stages-list' },
      d.stages.map((s) => stageRow(s, d.current)),
    ),
    h(
      'div',
      { class: 'approval-body' },
      page ? h('img', { class: 'page-image', src: page.url, alt: `Page 1 of ${doc.fileName}` }) : null,
      h(
        'table',
        { class: 'fields' },
        h('caption', { class: 'visually-hidden' }, 'Fields'),
        h(
          'tbody',
          {},
          d.fields.map((f) => h('tr', {}, h('th', { scope: 'row' }, f.label), h('td', {}, f.value))),
        ),
      ),
    ),
  );
  document
    .querySelector(`.approval-item a[href$="${CSS.escape(encodeURIComponent(id))}"]`)
    ?.parentElement?.classList.add('open');
}

async function loadAway() {
  const res = await api('/v1/session/away');
  const state = $('away-state');
  if (!res.ok) return;
  state.textContent = res.body.awayUntil
    ? `You are away until ${when(res.body.awayUntil)}; ${res.body.delegate.name} approves for you.`
    : 'You are not marked away.';
}

$('away-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const until = new Date($('away-until').value);
  const res = await api('/v1/session/away', {
    method: 'PUT',
    body: {
      until: Number.isNaN(until.getTime()) ? null : until.toISOString(),
      delegate: $('away-delegate').value,
    },
  });
  $('away-error').hidden = res.ok;
  if (!res.ok) $('away-error').textContent = res.body.message;
  await loadAway();
});
$('away-back').addEventListener('click', async () => {
  await api('/v1/session/away', { method: 'PUT', body: { until: null } });
  await loadAway();
});

const items = await loadQueue();
await loadAway();
if (openId) await open(openId);
else if (items[0]) await open(items[0].documentId);
else {
  fill(
    $('approval'),
    h('p', { class: 'muted placeholder' }, 'When a document reaches a stage you may approve, it opens here.'),
  );
}
