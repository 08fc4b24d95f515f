// Interface language: Russian and English strings, the language picked from the browser
// (navigator.language) or the operator's last choice, and number/date formatting in that language.
// Elements carry data-i18n="key" (text), data-i18n-title / data-i18n-placeholder / data-i18n-aria
// (attributes); apply() fills them, and setLang() re-applies and tells listeners.

const STRINGS = {
  ru: {
    app_title: 'PigWeight',
    nav_review: 'Видео', nav_journal: 'Журнал', nav_live: 'Камеры', nav_admin: 'Пользователи',
    online: 'на связи', offline: 'нет связи',
    sources: 'Источники', cameras: 'Камеры', videos: 'Видео',
    no_videos: 'Видео пока нет. Перетащите файл сюда или нажмите «Загрузить».',
    upload: 'Загрузить видео', drop_here: 'Отпустите файл, чтобы загрузить',
    uploading: 'Загрузка', upload_paused: 'Связь прервана — продолжу с {pct}',
    upload_done: 'Загружено: {name}', upload_failed: 'Не загружено: {msg}', upload_resumed: 'Продолжаю с {pct}',
    cancel: 'Отмена',
    thumbs_building: 'миниатюры…', not_playable: 'не воспроизводится в браузере',
    pick_video: 'Выберите видео слева или загрузите новое.',
    play: 'Воспроизвести (Пробел)', pause: 'Пауза (Пробел)',
    frame_back: 'Кадр назад (,)', frame_fwd: 'Кадр вперёд (.)',
    back_1s: 'Назад 1 с (←)', fwd_1s: 'Вперёд 1 с (→)',
    speed: 'Скорость', jump_to: 'Перейти к времени (G)', go: 'Перейти',
    fullscreen: 'Во весь экран (F)', masks: 'Маски', numbers: 'Номера',
    shortcuts: 'Клавиши', shortcuts_title: 'Сочетания клавиш',
    overlay_wait: 'подсчёт…', frame_not_counted: 'Этот кадр не посчитан.', nearest_counted: 'Ближайший посчитанный: {t}', overlay_none: 'нет подсчёта для этого видео',
    overlay_unavailable: 'подсчёт недоступен: {msg}',
    timeline_no_counts: 'График количества появится после индексации видео',
    moments: 'Подходящие моменты',
    index_none: 'Видео ещё не посчитано целиком.', index_start: 'Посчитать всё видео',
    index_running: 'Подсчёт по видео: {pct} %', index_eta: 'осталось ~{t}', index_pause: 'Пауза',
    index_paused: 'Подсчёт на паузе: {pct} %', index_resume: 'Продолжить', index_failed: 'Подсчёт не удался: {msg}',
    weighing: 'Взвешивание', count: 'Количество', total_weight: 'Общий вес', avg_weight: 'Средний вес',
    kg: 'кг', heads: 'гол.', single_frame: 'по одному кадру', confidence: 'уверенность', stable: 'стабильно', unstable: 'нестабильно',
    auto: 'авто', override: 'исправлено вручную', reset_auto: 'Вернуть авто ({n})',
    station: 'Станция', note: 'Примечание', save: 'Сохранить', saving: 'Сохраняю…',
    saved: 'Сохранено в журнал: №{id}', scale_live: 'весы', source: 'Источник',
    source_video: 'видео {name}, {t}', source_camera: 'камера {id}', source_manual: 'вручную',
    need_count: 'Укажите количество (целое число больше 0)', need_weight: 'Укажите общий вес в кг',
    weight_hint: 'вес, затем Enter',
    journal: 'Журнал взвешиваний', from: 'С', to: 'По', all_stations: 'Все станции', apply: 'Показать',
    export_csv: 'Экспорт CSV', date: 'Дата', evidence: 'Снимок',
    journal_empty: 'Записей нет', journal_unavailable: 'Журнал недоступен: {msg}',
    total_records: 'Записей: {n}', prev: '← Назад', next: 'Далее →',
    record: 'Запись №{id}', open_moment: 'Открыть момент в видео', amend: 'Исправить',
    history: 'История изменений', revision: 'Ред. {n}', no_history: 'Изменений не было',
    delete: 'Удалить', confirm_delete: 'Удалить запись №{id}? Она останется в истории.',
    deleted: 'удалена', close: 'Закрыть', changed: 'изменено', show_deleted: 'Показать удалённые', was: 'было',
    live: 'Камеры', cam_state: 'Состояние', no_snapshot: 'нет кадра', weigh_from_camera: 'Взвесить с этой камеры',
    status: 'Состояние сервера', language: 'Язык',
    sc_play: 'Пуск / пауза', sc_frame: 'Кадр назад / вперёд', sc_seek: '1 с назад / вперёд (Shift: 10 с)',
    sc_speed: 'Медленнее / быстрее', sc_full: 'Во весь экран', sc_masks: 'Маски вкл/выкл', sc_numbers: 'Номера вкл/выкл',
    sc_jump: 'Перейти к времени', sc_weight: 'Ввести вес', sc_save: 'Сохранить (в поле веса)',
    error: 'Ошибка: {msg}',
  },
  en: {
    app_title: 'PigWeight',
    nav_review: 'Videos', nav_journal: 'Journal', nav_live: 'Cameras', nav_admin: 'Users',
    online: 'online', offline: 'offline',
    sources: 'Sources', cameras: 'Cameras', videos: 'Videos',
    no_videos: 'No videos yet. Drop a file here or press “Upload”.',
    upload: 'Upload video', drop_here: 'Drop the file to upload it',
    uploading: 'Uploading', upload_paused: 'Connection lost — will resume from {pct}',
    upload_done: 'Uploaded: {name}', upload_failed: 'Upload failed: {msg}', upload_resumed: 'Resuming from {pct}',
    cancel: 'Cancel',
    thumbs_building: 'thumbnails…', not_playable: 'cannot play in a browser',
    pick_video: 'Pick a video on the left or upload a new one.',
    play: 'Play (Space)', pause: 'Pause (Space)',
    frame_back: 'Previous frame (,)', frame_fwd: 'Next frame (.)',
    back_1s: 'Back 1 s (←)', fwd_1s: 'Forward 1 s (→)',
    speed: 'Speed', jump_to: 'Jump to time (G)', go: 'Go',
    fullscreen: 'Full screen (F)', masks: 'Masks', numbers: 'Numbers',
    shortcuts: 'Keys', shortcuts_title: 'Keyboard shortcuts',
    overlay_wait: 'counting…', frame_not_counted: 'This frame is not counted.', nearest_counted: 'Nearest counted: {t}', overlay_none: 'no counts for this video',
    overlay_unavailable: 'counting unavailable: {msg}',
    timeline_no_counts: 'The count graph appears once the video is indexed',
    moments: 'Suggested moments',
    index_none: 'The whole video has not been counted yet.', index_start: 'Count the whole video',
    index_running: 'Counting the video: {pct} %', index_eta: '~{t} left', index_pause: 'Pause',
    index_paused: 'Counting paused at {pct} %', index_resume: 'Resume', index_failed: 'Counting failed: {msg}',
    weighing: 'Weighing', count: 'Count', total_weight: 'Total weight', avg_weight: 'Average weight',
    kg: 'kg', heads: 'head', single_frame: 'from this frame alone', confidence: 'confidence', stable: 'stable', unstable: 'unstable',
    auto: 'auto', override: 'corrected by hand', reset_auto: 'Back to auto ({n})',
    station: 'Station', note: 'Note', save: 'Save', saving: 'Saving…',
    saved: 'Saved to the journal: #{id}', scale_live: 'scale', source: 'Source',
    source_video: 'video {name}, {t}', source_camera: 'camera {id}', source_manual: 'manual',
    need_count: 'Enter the count (a whole number above 0)', need_weight: 'Enter the total weight in kg',
    weight_hint: 'weight, then Enter',
    journal: 'Weighing journal', from: 'From', to: 'To', all_stations: 'All stations', apply: 'Show',
    export_csv: 'Export CSV', date: 'Date', evidence: 'Snapshot',
    journal_empty: 'No records', journal_unavailable: 'Journal unavailable: {msg}',
    total_records: 'Records: {n}', prev: '← Previous', next: 'Next →',
    record: 'Record #{id}', open_moment: 'Open the moment in the video', amend: 'Amend',
    history: 'History', revision: 'Rev. {n}', no_history: 'Never changed',
    delete: 'Delete', confirm_delete: 'Delete record #{id}? It stays in the history.',
    deleted: 'deleted', close: 'Close', changed: 'changed', show_deleted: 'Show deleted', was: 'was',
    live: 'Cameras', cam_state: 'State', no_snapshot: 'no picture', weigh_from_camera: 'Weigh from this camera',
    status: 'Server state', language: 'Language',
    sc_play: 'Play / pause', sc_frame: 'Previous / next frame', sc_seek: '1 s back / forward (Shift: 10 s)',
    sc_speed: 'Slower / faster', sc_full: 'Full screen', sc_masks: 'Masks on/off', sc_numbers: 'Numbers on/off',
    sc_jump: 'Jump to time', sc_weight: 'Type the weight', sc_save: 'Save (in the weight field)',
    error: 'Error: {msg}',
  },
};

export const LANGS = Object.keys(STRINGS);

/** A feature module's own words ({ru: {...}, en: {...}}), merged into the tables; keys are
 *  prefixed with `prefix` so modules cannot clash. */
export function addStrings(prefix, table) {
  for (const [l, words] of Object.entries(table)) {
    for (const [k, v] of Object.entries(words)) (STRINGS[l] ||= {})[`${prefix}${k}`] = v;
  }
}
const listeners = new Set();

function initialLang() {
  const saved = localStorage.getItem('pw.lang');
  if (LANGS.includes(saved)) return saved;
  const nav = (navigator.language || 'ru').slice(0, 2).toLowerCase();
  return LANGS.includes(nav) ? nav : 'en';
}

let lang = initialLang();

export const currentLang = () => lang;

/** The string for key in the current language, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? `{${k}}`));
}

/** Fills data-i18n* elements under root. */
export function apply(root = document) {
  document.documentElement.lang = lang;
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  for (const [attr, data] of [['title', 'i18nTitle'], ['placeholder', 'i18nPlaceholder'], ['aria-label', 'i18nAria']]) {
    root.querySelectorAll(`[data-${attr === 'aria-label' ? 'i18n-aria' : `i18n-${attr}`}]`).forEach((el) => {
      el.setAttribute(attr, t(el.dataset[data]));
    });
  }
}

export function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return;
  lang = next;
  localStorage.setItem('pw.lang', lang);
  apply();
  listeners.forEach((fn) => fn(lang));
}

/** fn(lang) after every language change (for text that code writes itself). */
export const onLangChange = (fn) => listeners.add(fn);

const locale = () => (lang === 'ru' ? 'ru-RU' : 'en-GB');

export function formatNumber(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** Seconds as m:ss.d or h:mm:ss.d. */
export function formatTime(sec, decimals = 1) {
  if (!Number.isFinite(sec)) return '—';
  const sign = sec < 0 ? '-' : '';
  sec = Math.abs(sec);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = (sec % 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${s}` : `${sign}${m}:${s}`;
}

export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'medium' }).format(d);
}

/** Parses "1:02.5", "62.5", "1:02:03" into seconds; NaN when it is not a time. */
export function parseTime(text) {
  const parts = String(text).trim().replace(',', '.').split(':');
  if (parts.length > 3 || parts.some((p) => p === '' || Number.isNaN(Number(p)))) return NaN;
  return parts.reduce((acc, p) => acc * 60 + Number(p), 0);
}

/** Parses a number typed the Russian or English way ("1 234,5" or "1234.5"). */
export function parseNumber(text) {
  const s = String(text).trim().replace(/[\s\u00a0]/g, '').replace(',', '.');
  return s === '' ? NaN : Number(s);
}
