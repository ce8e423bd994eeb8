// /login: email and password, or an API key, for a session cookie; then back to the page asked for.
import { api, roleAllows } from './common.js';

const error = document.getElementById('login-error');

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
  error.textContent = res.body?.message ?? 'Signing in failed.';
  error.hidden = false;
}

document.getElementById('password-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.currentTarget;
  signIn({ email: f.email.value.trim(), password: f.password.value }, f);
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
