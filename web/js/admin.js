// Users and API tokens, for admins (#/admin): the user list with role, disabled and a new
// password per user, adding and deleting users (GET/POST/PATCH/DELETE /api/users), and the API
// tokens with who made them and when they were last used, creating one (its secret is shown once,
// here only) and revoking (GET/POST/DELETE /api/tokens). Every answer of the server, refusals
// included, is shown as it says it.
import { getJSON, postJSON, patchJSON, del } from './api.js';
import { h, notify } from './dom.js';
import { addStrings, t, apply, formatDateTime, onLangChange } from './i18n.js';
import { currentUser } from './auth.js';

addStrings('adm_', {
  ru: {
    users: 'Пользователи', tokens: 'API-токены', name: 'Имя', role: 'Роль', created: 'Создан', disabled: 'Отключён',
    password: 'Пароль', new_password: 'Новый пароль', set_password: 'Сменить пароль', delete: 'Удалить',
    add_user: 'Добавить пользователя', add: 'Добавить', created_by: 'Кто создал', last_used: 'Последнее использование',
    state: 'Состояние', revoke: 'Отозвать', revoked: 'отозван', active: 'действует', never: 'ни разу',
    create_token: 'Создать токен', token_name: 'Для чего (имя)', create: 'Создать',
    token_once: 'Скопируйте токен сейчас — он больше не будет показан:', copy: 'Копировать', copied: 'Скопировано',
    confirm_delete: 'Удалить пользователя {name}? Его сессии и созданные им токены перестанут действовать.',
    confirm_revoke: 'Отозвать токен «{name}»? Программы, которые им пользуются, потеряют доступ.',
    saved: 'Сохранено', user_added: 'Пользователь {name} добавлен', user_deleted: 'Пользователь {name} удалён',
    password_set: 'Пароль пользователя {name} изменён; его сессии завершены', token_revoked: 'Токен «{name}» отозван',
    you: 'это вы', failed: 'Не удалось: {msg}',
    hint_tokens: 'Токены — для программ (SCADA, Prometheus, мост весов): заголовок Authorization: Bearer <токен>. Токен теряет силу, когда его создателя удаляют или отключают.',
  },
  en: {
    users: 'Users', tokens: 'API tokens', name: 'Name', role: 'Role', created: 'Created', disabled: 'Disabled',
    password: 'Password', new_password: 'New password', set_password: 'Set password', delete: 'Delete',
    add_user: 'Add a user', add: 'Add', created_by: 'Created by', last_used: 'Last used',
    state: 'State', revoke: 'Revoke', revoked: 'revoked', active: 'active', never: 'never',
    create_token: 'Create a token', token_name: 'What uses it (name)', create: 'Create',
    token_once: 'Copy the token now — it will not be shown again:', copy: 'Copy', copied: 'Copied',
    confirm_delete: 'Delete user {name}? Their sessions and the tokens they created stop working.',
    confirm_revoke: 'Revoke token “{name}”? Programs using it lose access.',
    saved: 'Saved', user_added: 'User {name} added', user_deleted: 'User {name} deleted',
    password_set: 'Password of {name} changed; their sessions were ended', token_revoked: 'Token “{name}” revoked',
    you: 'you', failed: 'Failed: {msg}',
    hint_tokens: 'Tokens are for programs (SCADA, Prometheus, a scale bridge): header Authorization: Bearer <token>. A token stops working when its creator is deleted or disabled.',
  },
});

const ROLES = ['viewer', 'operator', 'admin'];

function roleSelect(value, attrs = {}) {
  return h('select', attrs, ROLES.map((r) => h('option', { value: r, selected: r === value }, t(`auth_role_${r}`))));
}

export class Admin {
  constructor({ el }) {
    this.el = el;
    this.build();
    onLangChange(() => { if (!this.el.hidden) this.load(); });
  }

  build() {
    const th = (key) => h('th', { 'data-i18n': key }, t(key));
    this.userRows = h('tbody', { id: 'adm-users' });
    this.tokenRows = h('tbody', { id: 'adm-tokens' });
    this.newUser = {
      name: h('input', { name: 'name', type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', required: true }),
      role: roleSelect('operator', { name: 'role' }),
      password: h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: '10', required: true }),
    };
    this.newToken = {
      name: h('input', { name: 'name', type: 'text', autocomplete: 'off', required: true }),
      role: roleSelect('viewer', { name: 'role' }),
    };
    this.secret = h('div', { class: 'token-secret', id: 'adm-token-secret', hidden: true });
    const field = (key, input) => h('label', { class: 'field' }, h('span', { class: 'field-label', 'data-i18n': key }, t(key)), input);
    this.el.replaceChildren(
      h('section', { class: 'card admin-card' },
        h('h2', { 'data-i18n': 'adm_users' }, t('adm_users')),
        h('div', { class: 'table-wrap' }, h('table', { class: 'journal-table admin-table' },
          h('thead', {}, h('tr', {}, th('adm_name'), th('adm_role'), th('adm_disabled'), th('adm_created'), th('adm_new_password'), h('th'))),
          this.userRows)),
        h('form', { class: 'filters', id: 'adm-add-user', onsubmit: (e) => { e.preventDefault(); this.addUser(); } },
          field('adm_name', this.newUser.name), field('adm_role', this.newUser.role), field('adm_password', this.newUser.password),
          h('button', { type: 'submit', class: 'primary', 'data-i18n': 'adm_add_user' }, t('adm_add_user')))),
      h('section', { class: 'card admin-card' },
        h('h2', { 'data-i18n': 'adm_tokens' }, t('adm_tokens')),
        h('p', { class: 'hint', 'data-i18n': 'adm_hint_tokens' }, t('adm_hint_tokens')),
        h('div', { class: 'table-wrap' }, h('table', { class: 'journal-table admin-table' },
          h('thead', {}, h('tr', {}, th('adm_name'), th('adm_role'), th('adm_created_by'), th('adm_created'), th('adm_last_used'), th('adm_state'), h('th'))),
          this.tokenRows)),
        h('form', { class: 'filters', id: 'adm-add-token', onsubmit: (e) => { e.preventDefault(); this.createToken(); } },
          field('adm_token_name', this.newToken.name), field('adm_role', this.newToken.role),
          h('button', { type: 'submit', class: 'primary', 'data-i18n': 'adm_create_token' }, t('adm_create_token'))),
        this.secret));
  }

  /** Shown (#/admin): a token secret from an earlier visit is not shown again. */
  open() {
    this.secret.hidden = true;
    this.secret.replaceChildren();
    return this.load();
  }

  async load() {
    apply(this.el);
    try {
      const [users, tokens] = await Promise.all([getJSON('/api/users'), getJSON('/api/tokens')]);
      this.renderUsers(users.items || []);
      this.renderTokens(tokens.items || []);
    } catch (err) {
      notify(t('adm_failed', { msg: err.message }), 'error');
    }
  }

  async act(fn, ok) {
    try {
      await fn();
      if (ok) notify(ok, 'ok');
    } catch (err) {
      notify(t('adm_failed', { msg: err.message }), 'error', 8000);
    }
    await this.load();
  }

  renderUsers(items) {
    const me = currentUser()?.user;
    this.userRows.replaceChildren(...items.map((u) => {
      const role = roleSelect(u.role, { 'aria-label': t('adm_role'),
        onchange: () => this.act(() => patchJSON(`/api/users/${encodeURIComponent(u.name)}`, { role: role.value }), t('adm_saved')) });
      const disabled = h('input', { type: 'checkbox', checked: u.disabled, 'aria-label': t('adm_disabled'),
        onchange: () => this.act(() => patchJSON(`/api/users/${encodeURIComponent(u.name)}`, { disabled: disabled.checked }), t('adm_saved')) });
      const password = h('input', { type: 'password', autocomplete: 'new-password', minlength: '10', 'aria-label': t('adm_new_password') });
      const setPassword = h('button', { type: 'button', class: 'small', onclick: () => {
        if (!password.value) { password.focus(); return; }
        this.act(() => patchJSON(`/api/users/${encodeURIComponent(u.name)}`, { password: password.value }), t('adm_password_set', { name: u.name }));
      } }, t('adm_set_password'));
      const remove = h('button', { type: 'button', class: 'small danger', disabled: u.name === me, onclick: () => {
        if (!window.confirm(t('adm_confirm_delete', { name: u.name }))) return;
        this.act(() => del(`/api/users/${encodeURIComponent(u.name)}`), t('adm_user_deleted', { name: u.name }));
      } }, t('adm_delete'));
      return h('tr', { dataset: { user: u.name }, class: u.disabled ? 'deleted' : '' },
        h('td', {}, u.name, u.name === me ? h('span', { class: 'muted' }, ` (${t('adm_you')})`) : null),
        h('td', {}, role), h('td', {}, disabled), h('td', {}, formatDateTime(u.created_utc)),
        h('td', { class: 'password-cell' }, password, setPassword), h('td', {}, remove));
    }));
  }

  renderTokens(items) {
    this.tokenRows.replaceChildren(...items.map((tk) => h('tr', { dataset: { token: String(tk.id) }, class: tk.revoked ? 'deleted' : '' },
      h('td', {}, tk.name), h('td', {}, t(`auth_role_${tk.role}`)), h('td', {}, tk.created_by || '—'),
      h('td', {}, formatDateTime(tk.created_utc)), h('td', {}, tk.last_used_utc ? formatDateTime(tk.last_used_utc) : t('adm_never')),
      h('td', {}, tk.revoked ? `${t('adm_revoked')} ${formatDateTime(tk.revoked_utc)}` : t('adm_active')),
      h('td', {}, tk.revoked ? null : h('button', { type: 'button', class: 'small danger', onclick: () => {
        if (!window.confirm(t('adm_confirm_revoke', { name: tk.name }))) return;
        this.act(() => del(`/api/tokens/${tk.id}`), t('adm_token_revoked', { name: tk.name }));
      } }, t('adm_revoke'))))));
  }

  addUser() {
    const { name, role, password } = this.newUser;
    const body = { name: name.value.trim(), role: role.value, password: password.value };
    this.act(async () => {
      await postJSON('/api/users', body);
      name.value = '';
      password.value = '';
    }, t('adm_user_added', { name: body.name }));
  }

  createToken() {
    const { name, role } = this.newToken;
    this.act(async () => {
      const made = await postJSON('/api/tokens', { name: name.value.trim(), role: role.value });
      name.value = '';
      const code = h('code', { id: 'adm-token-value' }, made.token);
      const copy = h('button', { type: 'button', class: 'small', onclick: async () => {
        await navigator.clipboard?.writeText(made.token).catch(() => {});
        copy.textContent = t('adm_copied');
      } }, t('adm_copy'));
      this.secret.replaceChildren(h('span', {}, t('adm_token_once')), code, copy);
      this.secret.hidden = false;
    });
  }
}
