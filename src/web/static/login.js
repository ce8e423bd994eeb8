// /login: email and password, or an API key, for a session cookie; then back to the page asked for.
import { api, roleAllows } from './common.js';

const error = document.getElementById('login-error');
const codeRow = document.getElementById('code-row');
const codeField = document.getElementById('code');

/** Only a path on this site: never an open redirect. The browser resolves `next` the way it would follow it
 * (it drops tabs and newlines, so "/\t/evil.example" is another site), and only a same-origin result is kept. */
function nextPath(role) {
  const next = new URLSearchParams(location.search).get('next');
  if (next?.startsWith('/')) {
    try {
      const target = new URL(next, location.origin);
      if (target.origin === location.origin && !target.pathname.startsWith('/login')) {
        return target.pathname + target.search + target.hash;
      }
    } catch {
      // not a URL: fall through to the default page
    }
  }
  return roleAllows(role, 'review') ? '/review' : '/upload';
}

async function signIn(body, form) {
  error.hidden = true;
  const button = form.querySelector('button');
  button.disabled = true;
  const res = await api('/v1/session', { method: 'POST', body });
  button.disabled = false;
  if (res.ok) {
    location.assign(nextPath(res.body.role));
    return;
  }
  // The password was right and the account has a second factor: ask for the code, then sign in again.
  if (res.body?.error === 'totp_required' || res.body?.error === 'totp_invalid') {
    codeRow.hidden = false;
    codeField.required = true;
    codeField.value = '';
    codeField.focus();
  }
  // Asking for the code is the next step, not a mistake: it is not shown as an error.
  error.className = res.body?.error === 'totp_required' ? 'notice' : 'notice error';
  error.textContent = res.body?.message ?? 'Signing in failed.';
  error.hidden = false;
}

document.getElementById('password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.currentTarget;
  const code = f.code.value.trim();
  signIn({ email: f.email.value.trim(), password: f.password.value, ...(code ? { code } : {}) }, f);
});
document.getElementById('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.currentTarget;
  signIn({ apiKey: f.apiKey.value.trim() }, f);
});
document.getElementById('email').focus();

// Already signed in (a second tab, the back button): straight on to the page asked for.
const current = await api('/v1/session');
if (current.ok) location.replace(nextPath(current.body.role));
