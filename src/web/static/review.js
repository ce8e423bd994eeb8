// /review: the queue on the left, the document under review on the right (page image with the field boxes, the
// fields editable in place, the issues beside them, the decisions). Keyboard first; see the help dialog (?).
import { api, duration, fill, h, money, reasonLabel, requireSession, when } from './common.js';
import { lineGrid } from './line-grid.js';

const session = await requireSession('review');

const queueEl = document.getElementById('queue');
const itemEl = document.getElementById('item');
const filtersEl = document.getElementById('filters');
const helpDialog = document.getElementById('help');
const decisionDialog = document.getElementById('decision');

const state = {
  items: [],
  /** documentId of the open item. */
  openId: null,
  /** GET /v1/review/items/:id answer. */
  detail: null,
  /** Our claim on the open item, or the holder who keeps us from it. */
  claim: null,
  heldBy: null,
  page: 1,
  zoom: 1,
  selected: null,
  editing: null,
};

// ---------- the queue ----------

function filterQuery() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(filtersEl)) if (String(v).trim()) params.set(k, String(v).trim());
  return params;
}

function restoreFilters() {
  const params = new URLSearchParams(location.search);
  for (const el of filtersEl.elements) {
    if (el.name && params.has(el.name)) {
      if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === params.get(el.name))) {
        el.append(h('option', { value: params.get(el.name) }, reasonLabel(params.get(el.name))));
      }
      el.value = params.get(el.name);
    }
  }
}

let filterTimer;
filtersEl.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    const params = filterQuery();
    history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}${location.hash}`);
    loadQueue();
  }, 250);
});
filtersEl.addEventListener('submit', (e) => e.preventDefault());

async function loadQueue() {
  const res = await api(`/v1/review/items?${filterQuery()}`);
  if (!res.ok) {
    fill(
      queueEl,
      h(
        'li',
        { class: 'notice error', role: 'alert' },
        res.body?.message ?? 'The queue could not be loaded.',
      ),
    );
    return;
  }
  state.items = res.body.items;
  renderQueue();
}

function reasonOptions() {
  const select = document.getElementById('f-reason');
  const known = new Set([...select.options].map((o) => o.value));
  for (const item of state.items) {
    for (const r of item.reasons) {
      if (!known.has(r)) {
        known.add(r);
        select.append(h('option', { value: r }, reasonLabel(r)));
      }
    }
  }
}

function slaText(item, now = Date.now()) {
  const left = (new Date(item.slaDeadline).getTime() - now) / 1000;
  return left < 0 ? `Overdue ${duration(-left)}` : `${duration(left)} left`;
}

function renderQueue() {
  reasonOptions();
  document.getElementById('queue-count').textContent = `(${state.items.length})`;
  const empty = document.getElementById('queue-empty');
  empty.hidden = state.items.length > 0;
  // The sort is not a filter: a queue that is empty under it alone is simply clear.
  const filtered = [...filterQuery().keys()].some((k) => k !== 'sort');
  empty.textContent = filtered ? 'Nothing in the queue matches these filters.' : 'The queue is clear.';
  fill(
    queueEl,
    state.items.map((item) => {
      const open = item.documentId === state.openId;
      const heldByOther =
        item.assignee && item.assignee.id !== session.id && item.assignee.name !== session.name;
      return h(
        'div',
        {
          role: 'option',
          id: `q-${item.documentId}`,
          class: `queue-item sla-${item.slaState}${open ? ' open' : ''}`,
          'aria-selected': open ? 'true' : 'false',
          'data-document-id': item.documentId,
          onclick: () => openItem(item.documentId),
        },
        h(
          'div',
          { class: 'qi-top' },
          h(
            'span',
            { class: 'vendor', title: `${item.vendorName ?? ''} · ${item.fileName}` },
            item.vendorName ?? item.fileName,
          ),
          h('span', { class: 'amount num' }, money(item.totalAmount, item.currency)),
        ),
        h(
          'div',
          { class: 'qi-reasons' },
          item.reasons.map((r) => h('span', { class: 'chip', 'data-code': r }, reasonLabel(r))),
        ),
        h(
          'div',
          { class: 'qi-bottom' },
          h(
            'span',
            { class: 'sla', 'data-deadline': item.slaDeadline, title: `Due ${when(item.slaDeadline)}` },
            item.slaState === 'overdue' ? h('span', { class: 'badge overdue' }, 'OVERDUE') : null,
            item.slaState === 'at_risk' ? h('span', { class: 'badge at-risk' }, 'AT RISK') : null,
            h('span', { class: 'countdown' }, slaText(item)),
          ),
          h('span', { class: 'age' }, `age ${duration(item.ageSeconds)}`),
          item.assignee
            ? h(
                'span',
                {
                  class: `assignee${heldByOther ? ' other' : ''}`,
                  title: `Claimed until ${when(item.claimedUntil)}`,
                },
                `claimed: ${item.assignee.name}`,
              )
            : null,
        ),
      );
    }),
  );
  queueEl.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
}

// SLA countdowns tick every second; the queue itself is re-read every 20 s.
setInterval(() => {
  const now = Date.now();
  for (const el of queueEl.querySelectorAll('.sla')) {
    const item = state.items.find((i) => i.documentId === el.closest('.queue-item')?.dataset.documentId);
    if (item) el.querySelector('.countdown').textContent = slaText(item, now);
  }
  const open = itemEl.querySelector('.item-countdown');
  if (open && state.detail) open.textContent = slaText(state.detail.item, now);
}, 1000);
setInterval(() => {
  if (!state.editing && !decisionDialog.open) loadQueue();
}, 20000);

// A claim times out; any action of the holder renews it, so a reviewer still at work keeps the item.
let renewing = false;
async function renewClaim() {
  if (!state.claim || !state.openId || renewing) return;
  const left = new Date(state.claim.claimedUntil).getTime() - Date.now();
  if (left > 5 * 60_000) return;
  renewing = true;
  const id = state.openId;
  const res = await api(`/v1/review/items/${encodeURIComponent(id)}/claim`, { method: 'POST' });
  renewing = false;
  if (state.openId !== id) return;
  state.claim = res.ok ? res.body : null;
  if (res.status === 409) state.heldBy = res.body;
  const line = itemEl.querySelector('.claim');
  if (line && res.ok) line.textContent = claimText(state.claim);
  if (!res.ok) {
    flash(res.body?.message ?? 'The claim on this item was lost.', true);
    renderItem();
  }
}
for (const type of ['keydown', 'pointerdown'])
  document.addEventListener(type, () => renewClaim(), { passive: true });

const claimText = (claim) => `Claimed by you until ${new Date(claim.claimedUntil).toLocaleTimeString()}`;

function step(delta) {
  if (state.items.length === 0) return;
  const at = state.items.findIndex((i) => i.documentId === state.openId);
  const next =
    at < 0
      ? delta > 0
        ? 0
        : state.items.length - 1
      : Math.min(Math.max(at + delta, 0), state.items.length - 1);
  if (state.items[next].documentId !== state.openId) openItem(state.items[next].documentId);
}

// ---------- one item ----------

async function openItem(id, { keepSelection = false } = {}) {
  if (state.openId && state.openId !== id && state.claim) {
    // Leaving an item hands it back so a colleague can take it.
    api(`/v1/review/items/${encodeURIComponent(state.openId)}/release`, { method: 'POST' });
  }
  const switching = state.openId !== id;
  state.openId = id;
  if (location.hash !== `#${id}`)
    history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
  if (switching) {
    state.page = 1;
    state.zoom = 1;
    state.editing = null;
    if (!keepSelection) state.selected = null;
  }
  const claim = await api(`/v1/review/items/${encodeURIComponent(id)}/claim`, { method: 'POST' });
  state.claim = claim.ok ? claim.body : null;
  state.heldBy = claim.status === 409 ? claim.body : null;
  const res = await api(`/v1/review/items/${encodeURIComponent(id)}`);
  if (state.openId !== id) return;
  if (!res.ok) {
    state.detail = null;
    fill(
      itemEl,
      h('p', { class: 'notice error', role: 'alert' }, res.body?.message ?? 'This item could not be opened.'),
    );
    return;
  }
  state.detail = res.body;
  if (!claim.ok && claim.status !== 409)
    state.heldBy = { message: claim.body?.message ?? 'Could not claim this item.' };
  renderQueue();
  renderItem();
}

const readOnly = () => !state.claim;

function renderItem() {
  const { document: doc, item, fields, issues, pages } = state.detail;
  const bank = state.detail.bankAccount;
  // The bank account's issue is shown on its own row, with the accounts masked.
  const docIssues = issues.filter(
    (i) => !i.field || (!fields.some((f) => f.name === i.field) && !(bank && i.field === 'bankAccount')),
  );
  const page = pages.find((p) => p.number === state.page) ?? pages[0];
  if (page) state.page = page.number;

  const claimLine = state.claim
    ? h('p', { class: 'claim mine', role: 'status' }, claimText(state.claim))
    : h(
        'p',
        { class: 'claim other notice warning', role: 'alert' },
        state.heldBy?.message ?? 'Not claimed: read only.',
      );

  fill(
    itemEl,
    h(
      'div',
      { class: 'item-head' },
      h(
        'div',
        { class: 'title' },
        h('h2', { id: 'item-title' }, item.vendorName ?? doc.fileName),
        h(
          'p',
          { class: 'sub' },
          `${doc.fileName} · ${money(item.totalAmount, item.currency)} · `,
          h('span', { class: `item-countdown sla-${item.slaState}` }, slaText(item)),
          ` · priority ${item.priority}`,
        ),
        h('p', { class: 'sub origin' }, `Came in by ${originText(doc.origin ?? { channel: doc.source })}`),
        claimLine,
      ),
      h(
        'div',
        { class: 'actions', role: 'toolbar', 'aria-label': 'Decision' },
        h(
          'button',
          {
            type: 'button',
            class: 'approve primary',
            onclick: approve,
            disabled: readOnly(),
            'aria-keyshortcuts': 'a',
          },
          'Approve (a)',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'reject danger',
            onclick: reject,
            disabled: readOnly(),
            'aria-keyshortcuts': 'r',
          },
          'Reject (r)',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'reprocess',
            onclick: reprocess,
            disabled: readOnly(),
            'aria-keyshortcuts': 'p',
          },
          'Re-process (p)',
        ),
      ),
    ),
    reopenedNote(doc, item),
    doc.parentId ? cutsPanel(doc.parentId) : null,
    docIssues.length
      ? h(
          'ul',
          { class: 'doc-issues', 'aria-label': 'Issues on the whole document' },
          docIssues.map((i) =>
            h(
              'li',
              { class: `issue ${i.severity}`, 'data-code': i.code },
              h('strong', {}, reasonLabel(i.code)),
              ': ',
              i.message,
              originalLink(i),
            ),
          ),
        )
      : null,
    h(
      'div',
      { class: 'item-body' },
      h(
        'div',
        { class: 'viewer', 'aria-label': 'Page image' },
        h(
          'div',
          { class: 'viewer-tools' },
          pages.length > 1
            ? h(
                'div',
                { class: 'pages', role: 'group', 'aria-label': 'Pages' },
                pages.map((p) =>
                  h(
                    'button',
                    {
                      type: 'button',
                      'aria-pressed': p.number === state.page ? 'true' : 'false',
                      'aria-label': `Page ${p.number} of ${pages.length}`,
                      class: 'thumb',
                      onclick: () => showPage(p.number),
                    },
                    // A small picture of the page, to find it by its look; the number for the keyboard's [ and ].
                    h('img', { src: `${p.url}?width=120`, alt: '', loading: 'lazy', draggable: 'false' }),
                    h('span', {}, String(p.number)),
                  ),
                ),
              )
            : h('span', { class: 'muted' }, pages.length ? 'Page 1 of 1' : 'No page image'),
          h(
            'div',
            { class: 'zoom', role: 'group', 'aria-label': 'Zoom' },
            h(
              'button',
              { type: 'button', 'aria-label': 'Zoom out (-)', onclick: () => zoom(state.zoom / 1.25) },
              '−',
            ),
            h('span', { class: 'zoom-level', 'aria-live': 'polite' }, `${Math.round(state.zoom * 100)}%`),
            h(
              'button',
              { type: 'button', 'aria-label': 'Zoom in (+)', onclick: () => zoom(state.zoom * 1.25) },
              '+',
            ),
            h('button', { type: 'button', 'aria-label': 'Fit the page (0)', onclick: () => zoom(1) }, 'Fit'),
          ),
        ),
        h(
          'div',
          { class: 'page-scroll', id: 'page-scroll' },
          page
            ? pageView(page, bank ? [...fields, bankBox(bank)] : fields)
            : h(
                'p',
                { class: 'muted placeholder' },
                state.detail.einvoice
                  ? 'An XML has no page to show: each field says the element it was read from.'
                  : 'No page image.',
              ),
        ),
      ),
      h(
        'div',
        { class: 'fields-pane' },
        h('h3', { id: 'fields-title' }, 'Fields'),
        h(
          'ul',
          { class: 'fields', id: 'fields', role: 'listbox', 'aria-labelledby': 'fields-title' },
          fields.map((f) => fieldRow(f)),
        ),
        bank ? bankRow(bank) : null,
        // An e-invoice's lines are its XML's, shown as read; any other document's lines are edited in the grid.
        state.detail.einvoice
          ? state.detail.lineItems?.length
            ? lineItemsTable(state.detail.lineItems)
            : null
          : lineGrid(state.detail, gridContext),
      ),
    ),
  );
  if (state.selected) selectField(state.selected, { focus: false });
}

// ---------- the cuts of a split file ----------

/**
 * The pages of the file this part was cut from, with the cuts between them. A gap between two pages is a button:
 * click it, or Enter / Space on it, to add or remove a cut; ← / → walk the gaps, Shift+← / Shift+→ move the cut
 * on the focused gap by a page. Saving re-reads the parts whose pages changed.
 */
function cutsPanel(fileId) {
  if (state.cuts?.fileId !== fileId) {
    state.cuts = { fileId, el: h('section', { class: 'cuts', 'aria-labelledby': 'cuts-title' }), file: null };
    loadCuts(fileId);
  }
  return state.cuts.el;
}

async function loadCuts(fileId) {
  const res = await api(`/v1/documents/${encodeURIComponent(fileId)}`);
  if (state.cuts?.fileId !== fileId) return;
  if (!res.ok || !res.body.result?.split) {
    fill(
      state.cuts.el,
      h('p', { class: 'muted' }, 'The pages of the file this part was cut from cannot be shown.'),
    );
    return;
  }
  const split = res.body.result.split;
  state.cuts.file = {
    version: res.body.resultVersion,
    pages: res.body.result.pages,
    separators: new Set(split.separators),
    blank: new Set(split.blank),
    unreadable: new Set(res.body.result.unreadablePages ?? []),
    parts: split.parts,
  };
  state.cuts.saved = split.parts.slice(1).map((p) => p.first);
  state.cuts.starts = new Set(state.cuts.saved);
  renderCuts();
}

/** The page at which a cut before `page` makes a document begin; a gap n sits between page n and n + 1. */
function renderCuts(focusGap) {
  const c = state.cuts;
  const { pages, separators, blank, unreadable, parts } = c.file;
  const mine = state.detail?.document.pageRange;
  const changed = [...c.starts].sort((a, b) => a - b).join() !== [...c.saved].sort((a, b) => a - b).join();
  const items = [];
  for (let n = 1; n <= pages; n++) {
    const part = parts.findIndex((p) => n >= p.first && n <= p.last);
    const kind = separators.has(n)
      ? 'separator sheet'
      : blank.has(n)
        ? 'blank page'
        : unreadable.has(n)
          ? 'unreadable'
          : null;
    const inMine = mine && n >= mine.first && n <= mine.last;
    items.push(
      h(
        'li',
        {
          class: `cut-page${inMine ? ' mine' : ''}${kind && !unreadable.has(n) ? ' dropped' : ''}${unreadable.has(n) ? ' damaged' : ''}`,
          'data-page': String(n),
        },
        h('img', {
          src: `/v1/documents/${encodeURIComponent(c.fileId)}/pages/${n}?width=120`,
          alt: '',
          loading: 'lazy',
          draggable: 'false',
          // A page that cannot be drawn (a damaged page) keeps its empty frame, not a broken-image sign.
          onerror: (e) => e.target.removeAttribute('src'),
        }),
        h('span', {}, kind ? `${n} · ${kind}` : part >= 0 && !changed ? `${n} · doc ${part + 1}` : String(n)),
      ),
    );
    if (n < pages) {
      const cut = c.starts.has(n + 1);
      items.push(
        h(
          'li',
          { class: 'cut-gap-item' },
          h(
            'button',
            {
              type: 'button',
              class: `cut-gap${cut ? ' cut' : ''}`,
              'data-gap': String(n),
              'aria-pressed': cut ? 'true' : 'false',
              'aria-label': `Cut between page ${n} and page ${n + 1}`,
              disabled: readOnly(),
              // A cut is dragged onto a gap without one with the pointer (mouse, pen or finger; pointer events
              // rather than HTML drag and drop, which Firefox does not start from a button).
              onpointerdown: (e) => {
                if (!cut || readOnly()) return;
                c.dragging = n;
                // A finger's pointer is captured by where it went down: let it go, so the gap it is lifted over
                // hears it.
                if (e.currentTarget.hasPointerCapture(e.pointerId))
                  e.currentTarget.releasePointerCapture(e.pointerId);
              },
              onpointerenter: (e) => {
                if (c.dragging != null && c.dragging !== n && !c.starts.has(n + 1))
                  e.currentTarget.classList.add('drop-target');
              },
              onpointerleave: (e) => e.currentTarget.classList.remove('drop-target'),
              onpointerup: () => {
                const from = c.dragging;
                c.dragging = null;
                if (from == null || from === n || c.starts.has(n + 1)) return;
                c.starts.delete(from + 1);
                c.starts.add(n + 1);
                renderCuts(n);
              },
              onclick: () => toggleCut(n + 1),
              onkeydown: (e) => cutKey(e, n),
            },
            h('span', { 'aria-hidden': 'true' }, cut ? '✂' : '+'),
          ),
        ),
      );
    }
  }
  const ranges = partsOfStarts();
  fill(
    c.el,
    h('h3', { id: 'cuts-title' }, 'Where the file was cut'),
    h(
      'p',
      { class: 'muted cuts-help', id: 'cuts-help' },
      'Click between two pages, or press Enter on the gap, to add or remove a cut; drag a ✂ to move it. ← → walk the gaps; Shift+← → move a cut.',
    ),
    h('ol', { class: 'cut-strip', 'aria-describedby': 'cuts-help' }, items),
    h(
      'div',
      { class: 'cut-actions' },
      h(
        'p',
        { class: 'cut-summary', role: 'status', 'aria-live': 'polite' },
        `${ranges.length} document${ranges.length === 1 ? '' : 's'}: pages ${ranges.map((r) => `${r.first}–${r.last}`).join(', ')}`,
      ),
      h(
        'button',
        { type: 'button', class: 'primary', onclick: saveCuts, disabled: readOnly() || !changed },
        'Save cuts',
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            c.starts = new Set(c.saved);
            renderCuts();
          },
          disabled: !changed,
        },
        'Undo cuts',
      ),
    ),
  );
  if (focusGap) c.el.querySelector(`[data-gap="${focusGap}"]`)?.focus();
}

/** Each document's first and last page under the cuts being edited (every page of the file in one range). */
function partsOfStarts() {
  const { pages } = state.cuts.file;
  const starts = [1, ...[...state.cuts.starts].sort((a, b) => a - b)];
  return starts.map((first, i) => ({ first, last: (starts[i + 1] ?? pages + 1) - 1 }));
}

function toggleCut(start) {
  const { starts } = state.cuts;
  if (starts.has(start)) starts.delete(start);
  else starts.add(start);
  renderCuts(start - 1);
}

function cutKey(e, gap) {
  const { pages } = state.cuts.file;
  const { starts } = state.cuts;
  const to = e.key === 'ArrowRight' ? gap + 1 : e.key === 'ArrowLeft' ? gap - 1 : null;
  if (e.key === 'Enter' || e.key === ' ') {
    toggleCut(gap + 1);
  } else if (to !== null && to >= 1 && to < pages) {
    if (e.shiftKey && starts.has(gap + 1) && !starts.has(to + 1)) {
      // Move the cut on this gap to the next one.
      starts.delete(gap + 1);
      starts.add(to + 1);
      renderCuts(to);
    } else if (!e.shiftKey) state.cuts.el.querySelector(`[data-gap="${to}"]`)?.focus();
  } else if (to === null) return;
  e.preventDefault();
  e.stopPropagation();
}

// A drag let go anywhere but on a gap ends there (a gap's own handler runs first).
window.addEventListener('pointerup', () => {
  if (state.cuts) state.cuts.dragging = null;
});

async function saveCuts() {
  const c = state.cuts;
  const res = await api(`/v1/review/documents/${encodeURIComponent(c.fileId)}/cuts`, {
    method: 'PUT',
    body: { parts: partsOfStarts(), resultVersion: c.file.version },
  });
  if (!res.ok) {
    flash(res.body?.message ?? 'The cuts could not be saved.', true);
    return;
  }
  const made = res.body.parts.filter((p) => p.changed).length;
  const mineGone = res.body.superseded.includes(state.openId);
  state.cuts = null;
  if (!mineGone) {
    flash(`Cuts saved: ${made} document${made === 1 ? '' : 's'} being read again.`);
    // This part was judged again (its cut is now a person's): shown as it now stands.
    await openItem(state.openId, { keepSelection: true });
    return;
  }
  // This part was replaced: on to the queue, where the new parts appear once they are read.
  await finish(
    res,
    `Cuts saved: this part was replaced; ${made} document${made === 1 ? ' is' : 's are'} being read again.`,
  );
}

/** Why a reopened document is back: the reason given when it was reopened, by whom and when. */
function reopenedNote(doc, item) {
  if (!item.reasons.includes('reopened')) return null;
  const back = [...(doc.history ?? [])].reverse().find((e) => e.to === 'needs_review' && e.reason);
  return h(
    'p',
    { class: 'issue warning reopened', 'data-code': 'reopened' },
    h('strong', {}, 'Reopened'),
    back ? `: “${back.reason}” (${when(back.at)})` : '.',
  );
}

function pageView(page, fields) {
  const boxes = fields
    .filter((f) => f.bbox && (f.page ?? 1) === page.number)
    .map((f) => {
      const [x0, y0, x1, y1] = f.bbox;
      const box = h('div', {
        class: `box${f.issues.some((i) => i.severity === 'error') ? ' has-error' : f.issues.length ? ' has-warning' : ''}`,
        'data-field': f.name,
        title: f.label,
        role: 'button',
        'aria-label': `${f.label} on the page`,
        tabindex: '-1',
        onclick: () => selectField(f.name, { focus: true }),
      });
      return placeBox(box, [x0, y0, x1, y1], page);
    });
  const frame = h(
    'div',
    { class: 'page', id: 'page', 'data-page': String(page.number) },
    h('img', {
      src: imageUrl(page),
      alt: `Page ${page.number} of ${state.detail.document.fileName}`,
      draggable: 'false',
    }),
    h('div', { class: 'boxes' }, boxes),
  );
  frame.style.aspectRatio = `${page.width} / ${page.height}`;
  frame.style.width = `${state.zoom * 100}%`;
  return frame;
}

/** The page's own units to the image: a share of the page width/height, so any zoom keeps the boxes aligned.
 * A little room around the words, so the frame does not cut through the letters. */
function placeBox(box, [x0, y0, x1, y1], page) {
  box.style.left = `calc(${(x0 / page.width) * 100}% - 2px)`;
  box.style.top = `calc(${(y0 / page.height) * 100}% - 2px)`;
  box.style.width = `calc(${((x1 - x0) / page.width) * 100}% + 4px)`;
  box.style.height = `calc(${((y1 - y0) / page.height) * 100}% + 4px)`;
  return box;
}

/** What the line grid needs from the page: the claim, messages, a reload, and the page to draw a line's box on. */
const gridContext = {
  readOnly: () => readOnly(),
  flash: (message, isError) => flash(message, isError),
  onSaved: async () => {
    const fresh = await api(`/v1/review/items/${encodeURIComponent(state.openId)}`);
    if (fresh.ok) state.detail = fresh.body;
    renderItem();
    loadQueue();
  },
  showLine(line) {
    for (const old of itemEl.querySelectorAll('.box.line-box')) old.remove();
    if (!line?.bbox) return;
    if (line.page && line.page !== state.page) {
      const focused = document.activeElement?.id;
      state.page = line.page;
      renderItem();
      if (focused) document.getElementById(focused)?.focus();
      return;
    }
    const page = state.detail.pages.find((p) => p.number === state.page);
    const boxes = itemEl.querySelector('#page .boxes');
    if (!page || !boxes) return;
    const box = placeBox(
      h('div', { class: 'box line-box selected', 'aria-hidden': 'true' }),
      line.bbox,
      page,
    );
    boxes.append(box);
    box.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  },
};

function showPage(n) {
  if (!state.detail.pages.some((p) => p.number === n) || n === state.page) return;
  state.page = n;
  renderItem();
}

/** The page rendered about as wide as it is shown (in steps, so zooming does not re-render at every press). */
function imageUrl(page) {
  const shown =
    (document.getElementById('page-scroll')?.clientWidth || window.innerWidth * 0.45) * state.zoom;
  const width = Math.min(
    3000,
    Math.max(1000, Math.ceil((shown * (window.devicePixelRatio || 1)) / 500) * 500),
  );
  return `${page.url}?width=${width}`;
}

function zoom(z) {
  state.zoom = Math.min(Math.max(z, 0.5), 5);
  const frame = document.getElementById('page');
  if (frame) frame.style.width = `${state.zoom * 100}%`;
  const img = frame?.querySelector('img');
  const page = state.detail?.pages.find((p) => p.number === state.page);
  if (img && page) {
    const wanted = imageUrl(page);
    const have = Number(new URL(img.src).searchParams.get('width'));
    // Sharper when zoomed in; never fetch a smaller one than already shown.
    if (Number(new URL(wanted, location.href).searchParams.get('width')) > have) img.src = wanted;
  }
  const label = itemEl.querySelector('.zoom-level');
  if (label) label.textContent = `${Math.round(state.zoom * 100)}%`;
  itemEl.querySelector('.box.selected')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

const capitalised = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function displayValue(f) {
  return f.value === null || f.value === undefined || f.value === '' ? '' : String(f.value);
}

function fieldRow(f) {
  const errors = f.issues.filter((i) => i.severity === 'error').length;
  return h(
    'li',
    {
      class: `field${errors ? ' has-error' : f.issues.length ? ' has-warning' : ''}${f.value == null ? ' empty' : ''}`,
      role: 'option',
      tabindex: '0',
      id: `field-${f.name}`,
      'data-field': f.name,
      'aria-selected': 'false',
      // Named by what it shows (label, value, confidence, issues), as a screen reader and speech input expect.
      onclick: () => selectField(f.name, { focus: true }),
      ondblclick: () => editField(f.name),
      onfocus: () => selectField(f.name, { focus: false }),
    },
    h(
      'div',
      { class: 'field-line' },
      h('span', { class: 'label' }, f.label),
      h('span', { class: 'value' }, displayValue(f) || '—'),
      f.confidence !== null && f.confidence !== undefined
        ? h(
            'span',
            { class: `conf${f.confidence < 0.8 ? ' low' : ''}`, title: 'Confidence' },
            `${Math.round(f.confidence * 100)}%`,
          )
        : h('span', { class: 'conf none' }, 'not read'),
    ),
    f.source?.xpath ? sourceLine(f.source.xpath) : null,
    f.learned ? learnedLine(f.learned) : null,
    h('p', { class: 'field-error', role: 'alert', hidden: true }),
    h(
      'ul',
      { class: 'field-issues' },
      f.issues.map((i) =>
        h('li', { class: `issue ${i.severity}`, 'data-code': i.code }, i.message, originalLink(i)),
      ),
    ),
  );
}

/** A duplicate's original, to compare with: its file, as it was received. */
function originalLink(issue) {
  if (!issue.documentId) return null;
  return [
    ' ',
    h(
      'a',
      {
        class: 'original',
        href: `/v1/documents/${encodeURIComponent(issue.documentId)}/file`,
        target: '_blank',
        rel: 'noopener',
      },
      'Open the original',
    ),
  ];
}

/** The bank account's box on the page, drawn like a field's. */
const bankBox = (bank) => ({
  name: 'bankAccount',
  label: 'bank account',
  page: bank.page,
  bbox: bank.bbox,
  issues: bank.issues,
});

/**
 * The account to pay, masked: a changed account is confirmed with the vendor by phone, not typed over, so it is
 * shown beside the vendor master's account rather than edited here.
 */
function bankRow(bank) {
  const errors = bank.issues.some((i) => i.severity === 'error');
  return h(
    'div',
    {
      class: `field bank${errors ? ' has-error' : bank.issues.length ? ' has-warning' : ''}`,
      id: 'field-bankAccount',
    },
    h(
      'div',
      { class: 'field-line' },
      h('span', { class: 'label' }, 'Bank account'),
      h('span', { class: 'value' }, bank.masked),
      h(
        'span',
        { class: `conf${bank.confidence < 0.8 ? ' low' : ''}`, title: 'Confidence' },
        `${Math.round(bank.confidence * 100)}%`,
      ),
    ),
    bank.onFile
      ? h(
          'p',
          { class: 'on-file' },
          'On file for this vendor: ',
          h('span', { class: 'value' }, bank.onFile.join(', ')),
        )
      : null,
    h(
      'ul',
      { class: 'field-issues' },
      bank.issues.map((i) => h('li', { class: `issue ${i.severity}`, 'data-code': i.code }, i.message)),
    ),
  );
}

/** Where a field read from an XML came from: its element, where a page would show a box. */
/** Where the document came from, in one line: the inbox, sender and subject, or the folder and path. */
function originText(origin) {
  if (origin.channel === 'email') {
    return [
      `e-mail to ${origin.mailbox}`,
      origin.from && `from ${origin.from}`,
      origin.subject && `"${origin.subject}"`,
      origin.entry ? `${origin.attachment} › ${origin.entry}` : origin.attachment,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  if (origin.channel === 'folder') return `folder ${origin.folder} · ${origin.path}`;
  return origin.channel === 'upload'
    ? 'the upload page'
    : origin.channel === 'api'
      ? 'the API'
      : origin.channel;
}

function sourceLine(xpath) {
  const file = state.detail?.einvoice?.attachment;
  return h(
    'p',
    { class: 'field-source', title: 'The element of the XML this value was read from' },
    file ? `from the XML (${file}): ` : 'from the XML: ',
    h('code', {}, xpath),
  );
}

/** A field vendor memory chose: "learned from 2 corrections (Ana, 3 Dec)". */
function learnedLine(learned) {
  const n = (count, word) => (count ? `${count} ${word}${count > 1 ? 's' : ''}` : '');
  const reviews = [n(learned.corrections, 'correction'), n(learned.approvals, 'approval')]
    .filter(Boolean)
    .join(' and ');
  const first = learned.lastBy.split(' ')[0];
  const day = new Date(learned.lastAt).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return h(
    'p',
    { class: 'field-source field-learned', title: 'Chosen by vendor memory; an admin can forget it' },
    `learned from ${reviews || 'a review'} (${first}, ${day})`,
  );
}

function lineItemsTable(lines) {
  const rates = lines.some((l) => l.taxRate != null);
  return h(
    'details',
    { class: 'lines' },
    h('summary', {}, `Line items (${lines.length})`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Description', 'Qty', 'Unit', 'Amount', ...(rates ? ['Tax %'] : [])].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        lines.map((l) =>
          h(
            'tr',
            {},
            h('td', {}, l.description),
            h('td', { class: 'num' }, l.quantity ?? ''),
            h('td', { class: 'num' }, l.unitPrice ?? ''),
            h('td', { class: 'num' }, l.amount ?? ''),
            rates ? h('td', { class: 'num' }, l.taxRate ?? '') : null,
          ),
        ),
      ),
    ),
  );
}

function fieldOf(name) {
  return state.detail?.fields.find((f) => f.name === name);
}

function selectField(name, { focus }) {
  const f = fieldOf(name);
  if (!f) return;
  state.selected = name;
  if (f.bbox && f.page && f.page !== state.page) {
    state.page = f.page;
    renderItem();
  }
  for (const el of itemEl.querySelectorAll('.field[aria-selected="true"], .box.selected')) {
    el.classList.remove('selected');
    if (el.classList.contains('field')) el.setAttribute('aria-selected', 'false');
  }
  const row = document.getElementById(`field-${name}`);
  row?.setAttribute('aria-selected', 'true');
  row?.classList.add('selected');
  const box = itemEl.querySelector(`.box[data-field="${CSS.escape(name)}"]`);
  box?.classList.add('selected');
  box?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  if (focus && row && document.activeElement !== row) row.focus();
}

function moveField(delta) {
  const names = state.detail?.fields.map((f) => f.name) ?? [];
  if (!names.length) return;
  const at = names.indexOf(state.selected);
  const next = at < 0 ? 0 : Math.min(Math.max(at + delta, 0), names.length - 1);
  selectField(names[next], { focus: true });
}

// ---------- editing ----------

/** The edit box per field kind (src/contract/fields.ts): the keyboard a phone shows, and an example. */
const INPUT_OF_KIND = {
  amount: { inputmode: 'decimal', placeholder: '1,234.56' },
  date: { placeholder: 'YYYY-MM-DD' },
  currency: { placeholder: 'EUR', maxlength: '3' },
  taxId: { placeholder: 'CNPJ, NIF, VAT or EIN' },
};

let validateTimer;

function editField(name) {
  if (readOnly()) {
    flash(state.heldBy?.message ?? 'Claim the item to edit it.');
    return;
  }
  const f = fieldOf(name);
  const row = document.getElementById(`field-${name}`);
  if (!f || !row || state.editing) return;
  selectField(name, { focus: false });
  state.editing = { name, original: displayValue(f), saving: false };
  const valueEl = row.querySelector('.value');
  const input = h('input', {
    type: 'text',
    class: 'edit',
    ...INPUT_OF_KIND[f.kind],
    value: displayValue(f),
    'aria-label': `${f.label}: new value (Enter saves, Esc cancels)`,
    'aria-describedby': `field-${name}-error`,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  row.querySelector('.field-error').id = `field-${name}-error`;
  valueEl.replaceWith(input);
  row.classList.add('editing');
  input.focus();
  input.select();
  input.addEventListener('input', () => {
    clearTimeout(validateTimer);
    validateTimer = setTimeout(() => validate(name, input.value), 300);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      e.stopPropagation();
      save(name, input.value);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      cancelEdit(true);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      const delta = e.shiftKey ? -1 : 1;
      if (input.value === state.editing.original) {
        cancelEdit(false);
        moveField(delta);
      } else save(name, input.value, delta);
    } else e.stopPropagation();
  });
}

function cancelEdit(refocus) {
  clearTimeout(validateTimer);
  const editing = state.editing;
  if (!editing) return;
  state.editing = null;
  const row = document.getElementById(`field-${editing.name}`);
  const input = row?.querySelector('input.edit');
  if (input) input.replaceWith(h('span', { class: 'value' }, editing.original || '—'));
  row?.classList.remove('editing');
  setFieldError(editing.name, null);
  if (refocus) row?.focus();
}

function setFieldError(name, message, hint) {
  const row = document.getElementById(`field-${name}`);
  const el = row?.querySelector('.field-error');
  if (!el) return;
  el.hidden = !message && !hint;
  el.textContent = message ?? hint ?? '';
  el.classList.toggle('hint', !message && !!hint);
  row.classList.toggle('invalid', !!message);
}

const asValue = (text) => (text.trim() === '' ? null : text.trim());

async function validate(name, text) {
  if (!state.editing || state.editing.name !== name) return;
  const res = await api(`/v1/review/items/${encodeURIComponent(state.openId)}/validate`, {
    method: 'POST',
    body: { fields: { [name]: asValue(text) } },
  });
  if (!state.editing || state.editing.name !== name) return;
  if (!res.ok) {
    setFieldError(name, res.body?.message ?? 'Could not check the value.');
    return;
  }
  const answer = res.body.fields.find((f) => f.name === name);
  if (answer?.error) setFieldError(name, answer.error);
  else {
    const issues = res.body.issues.filter((i) => i.field === name);
    const hint = [
      answer && answer.value !== asValue(text) && answer.value !== null ? `Read as ${answer.value}` : null,
      issues.length ? issues.map((i) => i.message).join(' ') : 'No issue with this value.',
    ]
      .filter(Boolean)
      .join(' · ');
    setFieldError(name, null, hint);
  }
}

async function save(name, text, thenMove = 0) {
  const editing = state.editing;
  if (!editing || editing.saving) return;
  clearTimeout(validateTimer);
  if (text === editing.original) {
    cancelEdit(true);
    if (thenMove) moveField(thenMove);
    return;
  }
  editing.saving = true;
  const res = await api(`/v1/review/items/${encodeURIComponent(state.openId)}/fields`, {
    method: 'PATCH',
    body: { fields: { [name]: asValue(text) } },
  });
  editing.saving = false;
  if (!res.ok) {
    const answerError = res.body?.fields?.find?.((f) => f.name === name)?.error;
    setFieldError(name, answerError ?? res.body?.message ?? 'The value was not saved.');
    document.getElementById(`field-${name}`)?.querySelector('input.edit')?.focus();
    return;
  }
  state.editing = null;
  const fresh = await api(`/v1/review/items/${encodeURIComponent(state.openId)}`);
  if (fresh.ok) state.detail = fresh.body;
  renderItem();
  flash(`${capitalised(fieldOf(name)?.label ?? name)} saved.`);
  selectField(name, { focus: true });
  if (thenMove) moveField(thenMove);
  loadQueue();
}

// ---------- decisions ----------

// Enter gives the answer, as in the rest of the page; Shift+Enter starts a new line.
document.getElementById('decision-reason').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    document.getElementById('decision-form').requestSubmit();
  }
});

/** A small form in a dialog; resolves with the text, or null when cancelled. */
function ask({ title, label, ok, required = 0, body = [], validateText }) {
  return new Promise((resolve) => {
    document.getElementById('decision-title').textContent = title;
    document.getElementById('decision-label').textContent = label;
    fill(document.getElementById('decision-body'), body);
    document.getElementById('decision-ok').textContent = ok;
    const text = document.getElementById('decision-reason');
    const error = document.getElementById('decision-error');
    text.value = '';
    text.required = required > 0;
    error.hidden = true;
    const form = document.getElementById('decision-form');
    const done = (value) => {
      form.removeEventListener('submit', onSubmit);
      document.getElementById('decision-cancel').removeEventListener('click', onCancel);
      decisionDialog.removeEventListener('cancel', onCancel);
      decisionDialog.close();
      resolve(value);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      const value = text.value.trim();
      const problem = validateText?.(value);
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        text.focus();
        return;
      }
      done(value);
    };
    const onCancel = (e) => {
      e?.preventDefault();
      done(null);
    };
    form.addEventListener('submit', onSubmit);
    document.getElementById('decision-cancel').addEventListener('click', onCancel);
    decisionDialog.addEventListener('cancel', onCancel);
    decisionDialog.showModal();
    text.focus();
  });
}

async function approve() {
  if (readOnly()) return;
  const id = state.openId;
  let res = await api(`/v1/review/items/${encodeURIComponent(id)}/approve`, { method: 'POST', body: {} });
  if (res.status === 409 && res.body?.error === 'blocking_issues') {
    const reason = await ask({
      title: 'Approve over blocking issues?',
      label: 'Why approve anyway (at least 10 characters, kept in the audit trail)',
      ok: 'Approve with override',
      required: 10,
      body: [
        h(
          'p',
          {},
          `${(res.body.issues ?? []).length === 1 ? 'An error still stands' : 'Errors still stand'}: correct it, or approve anyway with a reason.`,
        ),
        h(
          'ul',
          { class: 'doc-issues' },
          (res.body.issues ?? []).map((i) =>
            h('li', { class: `issue ${i.severity}` }, h('strong', {}, reasonLabel(i.code)), ': ', i.message),
          ),
        ),
      ],
      validateText: (v) => (v.length < 10 ? 'Give a reason of at least 10 characters.' : null),
    });
    if (reason === null) return;
    res = await api(`/v1/review/items/${encodeURIComponent(id)}/approve`, {
      method: 'POST',
      body: { overrideReason: reason },
    });
  }
  // With approval stages that apply, the review's approval sends it on to the first of them.
  finish(
    res,
    res.body?.status === 'awaiting_approval'
      ? 'Approved in review; it now waits for its approval stages.'
      : 'Approved.',
  );
}

async function reject() {
  if (readOnly()) return;
  const id = state.openId;
  const reason = await ask({
    title: 'Reject this document',
    label: 'Reason (sent to the ERP and kept in the audit trail)',
    ok: 'Reject',
    required: 1,
    validateText: (v) => (v ? null : 'A rejection needs a reason.'),
  });
  if (reason === null) return;
  finish(
    await api(`/v1/review/items/${encodeURIComponent(id)}/reject`, { method: 'POST', body: { reason } }),
    'Rejected.',
  );
}

async function reprocess() {
  if (readOnly()) return;
  const id = state.openId;
  const reason = await ask({
    title: 'Send back for re-processing',
    label: 'Reason (optional)',
    ok: 'Re-process',
  });
  if (reason === null) return;
  finish(
    await api(`/v1/review/items/${encodeURIComponent(id)}/reprocess`, {
      method: 'POST',
      body: reason ? { reason } : {},
    }),
    'Sent back for re-processing.',
  );
}

async function finish(res, message) {
  if (!res.ok) {
    flash(res.body?.message ?? 'That did not work.', true);
    return;
  }
  flash(message);
  const at = state.items.findIndex((i) => i.documentId === state.openId);
  state.claim = null;
  state.openId = null;
  await loadQueue();
  const next = state.items[Math.min(Math.max(at, 0), state.items.length - 1)];
  if (next) openItem(next.documentId);
  else {
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    fill(itemEl, h('p', { class: 'muted placeholder' }, 'The queue is clear. Well done.'));
  }
}

let flashTimer;
function flash(message, isError = false) {
  let el = document.getElementById('flash');
  if (!el) {
    el = h('div', { id: 'flash', class: 'flash', role: 'status', 'aria-live': 'polite' });
    document.body.append(el);
  }
  el.textContent = message;
  el.classList.toggle('error', isError);
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

// ---------- keyboard ----------

document.getElementById('help-button').addEventListener('click', () => helpDialog.showModal());

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (helpDialog.open || decisionDialog.open) return;
  const target = e.target;
  const typing =
    target instanceof HTMLElement && (target.matches('input, textarea, select') || target.isContentEditable);
  if (typing) return;
  const onField = target instanceof HTMLElement && target.classList.contains('field');
  switch (e.key) {
    case 'j':
      step(1);
      break;
    case 'k':
      step(-1);
      break;
    case 'ArrowDown':
      if (!state.detail) return;
      moveField(1);
      break;
    case 'ArrowUp':
      if (!state.detail) return;
      moveField(-1);
      break;
    case 'Tab': {
      // From nowhere in particular (after j/k) or the page image, Tab enters the fields at the selected one;
      // among the fields the browser's own order walks them.
      const loose = target === document.body || target === queueEl || target.closest?.('.page-scroll');
      if (!state.detail || onField || !loose) return;
      moveField(0);
      break;
    }
    case 'Enter':
    case 'e':
      if (!state.selected || !state.detail) return;
      if (e.key === 'Enter' && !onField) return;
      editField(state.selected);
      break;
    case 'a':
      approve();
      break;
    case 'r':
      reject();
      break;
    case 'p':
      reprocess();
      break;
    case '+':
    case '=':
      zoom(state.zoom * 1.25);
      break;
    case '-':
      zoom(state.zoom / 1.25);
      break;
    case '0':
      zoom(1);
      break;
    case ']':
      if (state.detail) showPage(state.page + 1);
      break;
    case '[':
      if (state.detail) showPage(state.page - 1);
      break;
    case '?':
      helpDialog.showModal();
      break;
    case 'Escape':
      if (state.selected) document.getElementById(`field-${state.selected}`)?.blur();
      break;
    default:
      return;
  }
  e.preventDefault();
});

window.addEventListener('pagehide', () => {
  if (state.openId && state.claim) {
    // Best effort: hand the item back when the reviewer leaves the page.
    fetch(`/v1/review/items/${encodeURIComponent(state.openId)}/release`, {
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'x-requested-with': 'retaguarda' },
    });
  }
});

restoreFilters();
await loadQueue();
const wanted = location.hash.slice(1);
if (wanted) openItem(decodeURIComponent(wanted));
// A link to another document on this page (a duplicate's original, an address typed in) changes only the hash.
window.addEventListener('hashchange', () => {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id && id !== state.openId) openItem(id);
});
