// The vendor memory page (admin): the vendors the reader learned about, and for one of them each layout's fields
// with the reviews they came from; a field or the whole vendor can be forgotten. Everything goes through the
// /v1 memory API with the admin's session; every change lands on the documents' audit trail there.
import { api, fill, h, requireSession, when } from '/static/common.js';

await requireSession('admin');

const $ = (id) => document.getElementById(id);

/** "totalAmount" → "Total amount". */
const fieldLabel = (name) => {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function say(text, error = false) {
  const status = $('status');
  status.textContent = text;
  status.className = error ? 'notice error' : text ? 'notice' : '';
}

async function showVendors() {
  const res = await api('/v1/memory/vendors');
  if (!res.ok) return say(res.body.message, true);
  const { vendors } = res.body;
  $('vendors-empty').hidden = vendors.length > 0;
  fill(
    $('vendors'),
    vendors.map((v) =>
      h(
        'tr',
        {},
        h(
          'td',
          {},
          h('a', { href: `#${encodeURIComponent(v.vendorKey)}` }, v.vendorName ?? v.vendorKey),
          v.vendorName ? h('span', { class: 'muted key' }, ` ${v.vendorKey}`) : null,
          v.vendorId ? h('span', { class: 'muted key' }, ` · master ${v.vendorId}`) : null,
        ),
        h('td', {}, String(v.layouts)),
        h('td', {}, String(v.fields)),
        h('td', {}, when(v.updatedAt)),
      ),
    ),
  );
  return vendors;
}

/** What was learned: the value itself, or where it is printed and how it looks. */
function learnedText(field) {
  if (field.value !== undefined) return field.value;
  const place = field.place;
  if (!place) return '—';
  const label = place.label ? `after “${place.label.words.join(' ')}”` : 'at its place';
  return `${label} on page ${place.page}, shaped ${place.format}`;
}

function sourcesCell(field) {
  const count = (how) => field.sources.filter((s) => s.how === how).length;
  const n = (k, word) => (k ? `${k} ${word}${k === 1 ? '' : 's'}` : null);
  const summary = [n(count('correction'), 'correction'), n(count('approval'), 'approval')]
    .filter(Boolean)
    .join(', ');
  const last = field.sources.at(-1);
  return h(
    'td',
    {},
    summary || 'no review',
    last ? ` · last ${last.actorName}, ${when(last.at)}` : null,
    h(
      'ul',
      { class: 'memory-docs' },
      field.sources
        .slice(-3)
        .map((s) => h('li', {}, h('a', { href: `/review#${s.documentId}` }, s.documentId))),
    ),
  );
}

async function forget(vendorKey, field) {
  const what = field
    ? `the ${fieldLabel(field).toLowerCase()} of ${vendorKey}`
    : `everything about ${vendorKey}`;
  if (!confirm(`Forget ${what}? The reader will choose it on its own again.`)) return;
  const path = `/v1/vendors/${encodeURIComponent(vendorKey)}/memory${field ? `/${encodeURIComponent(field)}` : ''}`;
  const res = await api(path, { method: 'DELETE' });
  if (!res.ok) return say(res.body.message, true);
  const vendors = await showVendors();
  if (vendors?.some((v) => v.vendorKey === vendorKey)) await showVendor(vendorKey);
  else {
    $('vendor').hidden = true;
    history.replaceState(null, '', location.pathname);
  }
  // Said once the tables show what is left, so that the message and the page agree.
  say(`Forgot ${what}.`);
}

async function showVendor(vendorKey) {
  const res = await api(`/v1/vendors/${encodeURIComponent(vendorKey)}/memory`);
  if (!res.ok) return say(res.body.message, true);
  const { layouts } = res.body;
  if (!layouts.length) {
    $('vendor').hidden = true;
    return say(`Nothing is remembered about ${vendorKey}.`);
  }
  $('vendor').hidden = false;
  $('vendor-title').textContent = layouts.find((l) => l.vendorName)?.vendorName ?? vendorKey;
  $('forget-vendor').onclick = () => forget(vendorKey);
  fill(
    $('layouts'),
    layouts.map((layout, i) =>
      h(
        'section',
        { class: 'memory-layout', 'aria-label': `Layout ${i + 1}` },
        h(
          'h3',
          {},
          `Layout ${i + 1} `,
          h('span', { class: 'muted key' }, layout.id),
          ` · taught ${when(layout.updatedAt)}`,
        ),
        h(
          'table',
          { class: 'memory-fields' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Field', 'Learned', 'Confirmations', 'From', ''].map((t) =>
                h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions')),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            Object.entries(layout.fields).map(([name, field]) =>
              h(
                'tr',
                { dataset: { field: name } },
                h('th', { scope: 'row' }, fieldLabel(name)),
                h('td', {}, learnedText(field)),
                h('td', {}, `${field.confirmations} confirmation${field.confirmations === 1 ? '' : 's'}`),
                sourcesCell(field),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      'aria-label': `Forget the ${fieldLabel(name).toLowerCase()}`,
                      onclick: () => forget(vendorKey, name),
                    },
                    'Forget',
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function run() {
  say('');
  await showVendors();
  const key = decodeURIComponent(location.hash.slice(1));
  if (key) await showVendor(key);
  else $('vendor').hidden = true;
  $('main').setAttribute('aria-busy', 'false');
}

window.addEventListener('hashchange', run);
run();
