// The line items of the open document as an editable grid: add, edit, delete and reorder lines by keyboard or
// mouse; each change checked by the service as it is typed (the rules re-run on the lines as they stand), and
// stored on Enter or "Save lines". A draft survives the page being redrawn (a field saved, another page shown).
import { api, h, money, reasonLabel } from './common.js';

const CELLS = [
  { key: 'quantity', label: 'Qty', name: 'quantity', placeholder: '1' },
  { key: 'unitPrice', label: 'Unit', name: 'unit price', placeholder: '0.00' },
  { key: 'amount', label: 'Amount', name: 'amount', placeholder: '0.00' },
];
const RATE = { key: 'taxRate', label: 'Tax %', name: 'tax rate', placeholder: '%' };
/** Issues the lines can cause or clear. */
const LINE_CODES = new Set(['line_amount_mismatch', 'lines_subtotal_mismatch', 'total_mismatch']);

/** documentId + result version → the reviewer's unsaved lines. */
let draft = null;
let checkTimer;

const rowsOf = (lines) =>
  lines.map((l, i) => ({
    from: i + 1,
    description: l.description ?? '',
    quantity: l.quantity ?? '',
    unitPrice: l.unitPrice ?? '',
    amount: l.amount ?? '',
    taxRate: l.taxRate ?? '',
    page: l.page ?? null,
    bbox: l.bbox ?? null,
  }));

const bodyOf = (rows) => ({
  lines: rows.map((r) => ({
    ...(r.from ? { from: r.from } : {}),
    description: r.description,
    quantity: r.quantity.trim() || null,
    unitPrice: r.unitPrice.trim() || null,
    amount: r.amount.trim() || null,
    taxRate: r.taxRate.trim() || null,
  })),
});

const same = (a, b) => JSON.stringify(bodyOf(a)) === JSON.stringify(bodyOf(b));

/**
 * The grid for `detail` (GET /v1/review/items/:id). `ctx`: readOnly(), flash(message, isError), onSaved()
 * (reload and redraw), showLine(line | null) (draw the line's box on the page).
 */
export function lineGrid(detail, ctx) {
  const key = `${detail.document.id}@${detail.document.resultVersion}`;
  if (draft?.key !== key) {
    draft = { key, id: detail.document.id, read: rowsOf(detail.lineItems ?? []), errors: [], issues: null };
    draft.rows = draft.read.map((r) => ({ ...r }));
  }
  const d = draft;
  const rates =
    d.rows.some((r) => r.taxRate !== '') || (detail.lineItems ?? []).some((l) => l.taxRate != null);
  const cells = rates ? [...CELLS, RATE] : CELLS;
  const currency = detail.fields.find((f) => f.name === 'currency')?.value ?? null;
  const disabled = ctx.readOnly();

  const section = h('section', { class: 'lines', 'aria-labelledby': 'lines-title' });
  const status = h('div', { class: 'lines-status', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody', {});
  const saveButton = h(
    'button',
    { type: 'button', class: 'primary', disabled: true, onclick: () => save() },
    'Save lines',
  );
  const undoButton = h('button', { type: 'button', disabled: true, onclick: () => undo() }, 'Undo changes');

  function redraw(focus) {
    tbody.replaceChildren(...d.rows.map((r, i) => rowEl(r, i)));
    const dirty = !same(d.rows, d.read);
    saveButton.disabled = disabled || !dirty || d.errors.some((e) => e && Object.keys(e).length);
    undoButton.disabled = disabled || !dirty;
    section.classList.toggle('dirty', dirty);
    renderStatus();
    if (focus) tbody.querySelector(focus)?.focus();
  }

  /** What the lines add up to against the subtotal and total; the service's issues on the lines, with why. */
  function renderStatus() {
    const sum = d.rows.reduce((acc, r) => acc + (Number.parseFloat(normal(r.amount)) || 0), 0);
    const subtotal = detail.fields.find((f) => f.name === 'subtotal')?.value;
    const total = detail.fields.find((f) => f.name === 'totalAmount')?.value;
    const issues = (d.issues ?? detail.issues).filter((i) => LINE_CODES.has(i.code));
    status.replaceChildren(
      h(
        'p',
        { class: 'lines-sum' },
        `Lines add up to ${money(sum.toFixed(2), currency)}`,
        subtotal ? ` · subtotal ${money(subtotal, currency)}` : '',
        total ? ` · total ${money(total, currency)}` : '',
      ),
      issues.length
        ? h(
            'ul',
            { class: 'doc-issues' },
            issues.map((i) =>
              h(
                'li',
                { class: `issue ${i.severity}`, 'data-code': i.code },
                h('strong', {}, reasonLabel(i.code)),
                ': ',
                i.message,
              ),
            ),
          )
        : h('p', { class: 'lines-ok' }, 'The lines agree with the totals.'),
    );
  }

  function rowEl(r, i) {
    const errors = d.errors[i] ?? {};
    const n = i + 1;
    const input = (cell, attrs) => {
      const message = errors[cell.key];
      const id = `line-${n}-${cell.key}`;
      return h(
        'td',
        { class: `${cell.key === 'description' ? '' : 'num'}${message ? ' invalid' : ''}` },
        h('input', {
          id,
          type: 'text',
          value: r[cell.key],
          'data-cell': cell.key,
          'aria-label': `Line ${n} ${cell.name}`,
          'aria-invalid': message ? 'true' : undefined,
          'aria-describedby': message ? `${id}-error` : undefined,
          placeholder: cell.placeholder,
          autocomplete: 'off',
          spellcheck: 'false',
          disabled,
          ...attrs,
          oninput: (e) => {
            r[cell.key] = e.target.value;
            hint(r, e.target.closest('tr'));
            check();
          },
        }),
        message ? h('span', { class: 'cell-error', id: `${id}-error` }, message) : null,
      );
    };
    return h(
      'tr',
      {
        'data-line': String(n),
        class: r.from ? '' : 'added',
        onfocusin: () => ctx.showLine(r.bbox ? r : null),
        onkeydown: (e) => keys(e, i),
      },
      h('th', { scope: 'row', class: 'line-no' }, String(n)),
      input({ key: 'description', name: 'description', placeholder: 'Description' }, {}),
      cells.map((c) => input(c, { inputmode: 'decimal', class: 'num' })),
      h(
        'td',
        { class: 'line-actions' },
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Move line ${n} up (Alt+↑)`,
            disabled: disabled || i === 0,
            onclick: () => move(i, -1),
          },
          '↑',
        ),
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Move line ${n} down (Alt+↓)`,
            disabled: disabled || i === d.rows.length - 1,
            onclick: () => move(i, 1),
          },
          '↓',
        ),
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Delete line ${n} (Alt+Delete)`,
            disabled,
            onclick: () => remove(i),
          },
          '✕',
        ),
      ),
    );
  }

  /** qty × unit, shown where the amount is empty or disagrees, before the service answers. */
  function hint(r, tr) {
    const q = Number.parseFloat(normal(r.quantity));
    const u = Number.parseFloat(normal(r.unitPrice));
    const amount = tr?.querySelector('[data-cell="amount"]');
    if (amount) amount.placeholder = Number.isFinite(q) && Number.isFinite(u) ? (q * u).toFixed(2) : '0.00';
  }

  function keys(e, i) {
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      move(i, e.key === 'ArrowUp' ? -1 : 1, e.target.dataset.cell);
    } else if (e.altKey && (e.key === 'Delete' || e.key === 'Backspace')) {
      e.preventDefault();
      remove(i);
    } else if (e.altKey && (e.key === 'n' || e.key === 'Insert')) {
      e.preventDefault();
      add(i + 1);
    } else if (e.key === 'Enter' && e.target.matches('input')) {
      e.preventDefault();
      save();
    } else if (e.key === 'Escape' && e.target.matches('input')) {
      e.preventDefault();
      undo();
    }
    // The page's own shortcuts (j, k, a, …) must not fire while typing in a cell.
    if (e.target.matches?.('input')) e.stopPropagation();
  }

  function move(i, delta, cell = null) {
    const j = i + delta;
    if (disabled || j < 0 || j >= d.rows.length) return;
    [d.rows[i], d.rows[j]] = [d.rows[j], d.rows[i]];
    [d.errors[i], d.errors[j]] = [d.errors[j], d.errors[i]];
    redraw(cell ? `#line-${j + 1}-${cell}` : `tr[data-line="${j + 1}"] .line-actions button:not([disabled])`);
    check();
  }

  function remove(i) {
    if (disabled) return;
    d.rows.splice(i, 1);
    d.errors.splice(i, 1);
    const next = Math.min(i, d.rows.length - 1);
    redraw(next >= 0 ? `#line-${next + 1}-description` : '.lines-add');
    check();
  }

  function add(at = d.rows.length) {
    if (disabled) return;
    d.rows.splice(at, 0, {
      from: null,
      description: '',
      quantity: '',
      unitPrice: '',
      amount: '',
      taxRate: '',
      page: null,
      bbox: null,
    });
    d.errors.splice(at, 0, {});
    redraw(`#line-${at + 1}-description`);
  }

  function undo() {
    d.rows = d.read.map((r) => ({ ...r }));
    d.errors = [];
    d.issues = null;
    redraw();
  }

  function check() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      const sent = JSON.stringify(bodyOf(d.rows));
      const res = await api(`/v1/review/items/${encodeURIComponent(d.id)}/lines/validate`, {
        method: 'POST',
        body: JSON.parse(sent),
      });
      // Typing went on meanwhile: this answer is for lines that no longer stand.
      if (draft !== d || JSON.stringify(bodyOf(d.rows)) !== sent) return;
      if (!res.ok) {
        ctx.flash(res.body?.message ?? 'The lines could not be checked.', true);
        return;
      }
      d.errors = res.body.lines.map((l) => l.errors ?? {});
      d.issues = res.body.issues;
      const focused = document.activeElement?.id;
      redraw(focused ? `#${CSS.escape(focused)}` : null);
      restoreCaret(focused);
    }, 300);
  }

  async function save() {
    if (disabled || same(d.rows, d.read)) return;
    clearTimeout(checkTimer);
    const res = await api(`/v1/review/items/${encodeURIComponent(d.id)}/lines`, {
      method: 'PUT',
      body: bodyOf(d.rows),
    });
    if (!res.ok) {
      ctx.flash(res.body?.message ?? 'The lines were not saved.', true);
      if (res.body?.field) {
        const m = /^lineItems\[(\d+)\]\.(\w+)$/.exec(res.body.field);
        if (m) document.getElementById(`line-${Number(m[1]) + 1}-${m[2]}`)?.focus();
      }
      return;
    }
    draft = null;
    ctx.flash('Lines saved.');
    await ctx.onSaved();
  }

  redraw();
  if (d.issues === null && !same(d.rows, d.read)) check();
  section.append(
    h(
      'div',
      { class: 'lines-head' },
      h('h3', { id: 'lines-title' }, `Line items (${d.rows.length})`),
      h('div', { class: 'lines-buttons' }, undoButton, saveButton),
    ),
    h(
      'div',
      { class: 'lines-scroll' },
      h(
        'table',
        { class: 'line-grid' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Line')),
            h('th', { scope: 'col' }, 'Description'),
            cells.map((c) => h('th', { scope: 'col', class: 'num' }, c.label)),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Move or delete')),
          ),
        ),
        tbody,
      ),
    ),
    h('button', { type: 'button', class: 'lines-add', disabled, onclick: () => add() }, '+ Add a line'),
    h(
      'p',
      { class: 'muted lines-keys' },
      'Enter saves · Esc undoes · Alt+↑/↓ moves a line · Alt+N adds one below · Alt+Delete removes it',
    ),
    status,
  );
  return section;
}

/** "1.234,56" and "1,234.56" as a number for the running sum and the hint; the service has the final word. */
function normal(text) {
  const t = String(text ?? '')
    .trim()
    .replace(/\s/g, '');
  if (!t) return '';
  const lastComma = t.lastIndexOf(',');
  const lastDot = t.lastIndexOf('.');
  if (lastComma > lastDot) return t.replace(/\./g, '').replace(',', '.');
  return t.replace(/,/g, '');
}

function restoreCaret(id) {
  const el = id ? document.getElementById(id) : null;
  if (el instanceof HTMLInputElement) el.setSelectionRange(el.value.length, el.value.length);
}
