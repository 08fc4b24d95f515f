// Signing in: before the page starts, asks the server who we are (GET /api/me); on 401 shows the
// login screen and waits for a successful POST /api/login (the session cookie is HttpOnly: the
// page never sees it). Shows the user and role in the header with a logout button, marks
// <body data-role="viewer|operator|admin"> so CSS hides what the role may not do, and brings the
// login screen back when a later API call answers 401 (the session expired).
// With authentication off on the server (AUTH=off) nothing is shown and the page runs as admin.
import { $ } from './dom.js';
import { addStrings, apply, t } from './i18n.js';

addStrings('auth_', {
  ru: {
    title: 'Вход в PigWeight', user: 'Пользователь', password: 'Пароль', sign_in: 'Войти', signing_in: 'Вхожу…',
    wrong: 'Неверное имя пользователя или пароль.', limited: 'Слишком много неудачных попыток. Повторите через {s} с.',
    failed: 'Не удалось войти: {msg}', logout: 'Выйти', expired: 'Сессия истекла — войдите снова.',
    role_viewer: 'наблюдатель', role_operator: 'оператор', role_admin: 'администратор',
  },
  en: {
    title: 'Sign in to PigWeight', user: 'User', password: 'Password', sign_in: 'Sign in', signing_in: 'Signing in…',
    wrong: 'Wrong user name or password.', limited: 'Too many failed attempts. Try again in {s} s.',
    failed: 'Could not sign in: {msg}', logout: 'Sign out', expired: 'Your session has expired: sign in again.',
    role_viewer: 'viewer', role_operator: 'operator', role_admin: 'admin',
  },
});

const nativeFetch = window.fetch.bind(window);
let me = null;           // {user, role, via, auth}
let waiting = null;      // the pending sign-in, while the login screen is up

async function whoAmI() {
  const res = await nativeFetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`GET /api/me: ${res.status}`);
  return res.json();
}

function showUser() {
  document.body.dataset.role = me?.role || 'admin';
  const who = $('#whoami');
  const out = $('#logout-btn');
  const signedIn = Boolean(me?.auth && me.user);
  who.hidden = !signedIn;
  out.hidden = !signedIn;
  if (signedIn) who.textContent = `${me.user} · ${t(`auth_role_${me.role}`)}`;
}

function loginScreen(message) {
  const screen = $('#login');
  const form = $('#login-form');
  const error = $('#login-error');
  const button = form.querySelector('button[type=submit]');
  screen.hidden = false;
  document.body.classList.add('signed-out');
  error.textContent = message || '';
  error.hidden = !message;
  form.elements.user.focus();
  return new Promise((resolve) => {
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      button.textContent = t('auth_signing_in');
      const body = JSON.stringify({ user: form.elements.user.value.trim(), password: form.elements.password.value });
      let msg = '';
      try {
        const res = await nativeFetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        if (res.ok) {
          form.elements.password.value = '';
          resolve(await whoAmI());  // signIn() hides the screen once the header shows who signed in
          return;
        }
        if (res.status === 401) msg = t('auth_wrong');
        else if (res.status === 429) msg = t('auth_limited', { s: res.headers.get('Retry-After') || '60' });
        else msg = t('auth_failed', { msg: (await res.json().catch(() => null))?.error?.message || res.status });
      } catch (err) {
        msg = t('auth_failed', { msg: err.message || String(err) });
      } finally {
        button.disabled = false;
        button.textContent = t('auth_sign_in');
      }
      error.textContent = msg;
      error.hidden = false;
      form.elements.password.select();
    };
  });
}

async function signIn(message) {
  waiting ??= loginScreen(message).then((who) => {
    me = who;
    waiting = null;
    showUser();
    $('#login').hidden = true;
    document.body.classList.remove('signed-out');
    return who;
  });
  return waiting;
}

// A 401 from any API call after start-up: the session ended (expired, signed out elsewhere).
window.fetch = async (input, init) => {
  const res = await nativeFetch(input, init);
  const url = typeof input === 'string' ? input : input?.url || '';
  if (res.status === 401 && me?.auth && !/\/api\/(login|me)\b/.test(url)) signIn(t('auth_expired'));
  return res;
};

$('#logout-btn').addEventListener('click', async () => {
  await nativeFetch('/api/logout', { method: 'POST' }).catch(() => {});
  location.reload();
});

apply();
me = await whoAmI().catch(() => ({ user: '', role: 'admin', auth: false }));
if (!me) me = await signIn();
showUser();

/** The signed-in user: {user, role, via, auth}. */
export const currentUser = () => me;
