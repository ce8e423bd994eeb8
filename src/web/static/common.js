// Shared by every page: the API client (session cookie + CSRF header), a DOM builder that only ever makes text
// nodes from data, the signed-in header, and the formats used on screen.

/** Calls the API with the session cookie; state-changing calls carry the CSRF header. Never throws on 4xx. */
export async function api(path, { method = 'GET', body, form } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-requested-with'] = 'retaguarda';
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    return {
      ok: false,
      status: 0,
      body: { error: 'network', message: `The service did not answer (${e.message}).` },
    };
  }
  if (res.status === 401 && path !== '/v1/session' && location.pathname !== '/login') {
    // The session ran out: sign in again and come back here.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`);
  }
  let data = null;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) data = await res.json().catch(() => null);
  if (!res.ok && !data)
    data = { error: `http_${res.status}`, message: `The service answered ${res.status}.` };
  return { ok: res.ok, status: res.status, body: data };
}

/**
 * h('button', { class: 'x', onclick: fn, 'aria-label': '…' }, 'text', child…): children that are strings become
 * text nodes, so document text is never parsed as HTML.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The signed-in principal, or a redirect to /login that comes back here. */
export async function requireSession(neededRole) {
  const res = await api('/v1/session');
  if (res.status === 401 || !res.ok) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search + location.hash)}`);
    return new Promise(() => {});
  }
  const session = res.body;
  renderHeader(session);
  if (neededRole && !roleAllows(session.role, neededRole)) {
    const main = document.querySelector('main');
    fill(
      main,
      h(
        'p',
        { class: 'notice error', role: 'alert' },
        `This page needs the ${neededRole} role; ${session.name} has the ${session.role} role. `,
        h('a', { href: '/upload' }, 'Go to Upload'),
      ),
    );
    return new Promise(() => {});
  }
  return session;
}

const RANK = { ingest: 1, review: 2, admin: 3 };
export const roleAllows = (held, needed) => (RANK[held] ?? 0) >= (RANK[needed] ?? 99);

function renderHeader(session) {
  const header = document.querySelector('header.top');
  if (!header) return;
  const here = location.pathname;
  const link = (href, label) => h('a', { href, 'aria-current': here === href ? 'page' : undefined }, label);
  fill(
    header,
    h('a', { class: 'brand', href: '/' }, 'Retaguarda'),
    h(
      'nav',
      { 'aria-label': 'Pages' },
      link('/upload', 'Upload'),
      roleAllows(session.role, 'review') ? link('/review', 'Review') : null,
      roleAllows(session.role, 'review') ? link('/dashboard', 'Figures') : null,
      roleAllows(session.role, 'admin') ? link('/memory', 'Memory') : null,
    ),
    h(
      'div',
      { class: 'who' },
      h('span', { class: 'name' }, session.name),
      h('span', { class: 'role-tag' }, session.role),
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: async () => {
            await api('/v1/session', { method: 'DELETE' });
            location.assign('/login');
          },
        },
        'Sign out',
      ),
    ),
  );
}

/** "1,234.56 USD" in the reader's locale; the decimal string itself when it is not a number. */
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  const text = n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${text} ${currency}` : text;
}

/** "3 d 4 h", "2 h 5 m", "4 m 10 s". */
export function duration(seconds) {
  const s = Math.max(0, Math.round(Math.abs(seconds)));
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${hr} h`;
  if (hr) return `${hr} h ${m} m`;
  if (m) return `${m} m ${s % 60} s`;
  return `${s % 60} s`;
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Readable words for a reason code: "total_mismatch" → "Total mismatch". */
export function reasonLabel(code) {
  const s = String(code).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
