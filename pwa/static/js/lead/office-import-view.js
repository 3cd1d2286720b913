// Store import: choose a CSV or XLSX file, "Check" runs the API's dry run (every bad row in a
// table: row, column, message; the stores it would create and update), "Import" commits it
// (all rows, or only the valid ones when asked). The export is the file to fix and re-import.
import { t } from '../i18n.js';
import { ApiError, request } from '../api.js';
import { h, check, field, toast } from '../ui.js';
import { exportButton, table } from './lead-ui.js';
import { canMaintain, errorMessage, officeScreen } from './office-ui.js';

const errorTable = (errors) =>
  table(
    { id: 'import-errors', class: 'stack' },
    [t('office.row'), t('office.column'), t('office.message')],
    errors.map((e) => [
      { content: String(e.row), label: t('office.row') },
      { content: e.column, label: t('office.column') },
      { content: e.message, label: t('office.message') },
    ]),
    { num: [0] },
  );

function report(r, dry) {
  const key = dry ? 'office.wouldImport' : 'office.imported';
  return h(
    'div',
    { class: 'card', id: dry ? 'import-check' : 'import-result' },
    h('p', { class: r.errors.length ? 'warn' : 'ok' }, t(key, { created: r.created, updated: r.updated })),
    r.errors.length
      ? [h('p', { class: 'bad' }, t('office.badRows', { n: r.rejected, rows: r.rows })), errorTable(r.errors)]
      : null,
  );
}

// A refused file (a bad header, or bad rows when not importing the valid ones only).
function refusal(err) {
  const rows = err instanceof ApiError && err.body && err.body.errors && err.body.errors.rows;
  return h(
    'div',
    { class: 'card', id: 'import-result', role: 'alert' },
    h(
      'p',
      { class: 'bad' },
      rows ? t('office.nothingImported', { n: new Set(rows.map((e) => e.row)).size }) : errorMessage(err),
    ),
    rows ? errorTable(rows) : null,
  );
}

export function view() {
  return officeScreen('office.import', canMaintain(), () => {
    const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.xlsx' });
    const validOnly = check(t('office.validOnly'), { id: 'import-valid-only' });
    const out = h('div', { id: 'import-report', 'aria-live': 'polite' });
    const send = async (dry, button) => {
      if (!file.files.length) {
        toast(t('office.chooseFile'));
        return;
      }
      const form = new FormData();
      form.append('file', file.files[0]);
      form.append('valid_only', String(validOnly.querySelector('input').checked));
      form.append('dry_run', String(dry));
      button.disabled = true;
      try {
        out.replaceChildren(report(await request('POST', '/api/stores/import', { form }), dry));
      } catch (err) {
        out.replaceChildren(refusal(err));
      } finally {
        button.disabled = false;
      }
    };
    const checkBtn = h('button', { type: 'button', id: 'import-check-btn' }, t('office.check'));
    const importBtn = h('button', { type: 'button', class: 'primary', id: 'import-commit-btn' }, t('office.importNow'));
    checkBtn.addEventListener('click', () => send(true, checkBtn));
    importBtn.addEventListener('click', () => send(false, importBtn));
    file.addEventListener('change', () => out.replaceChildren());
    return [
      h(
        'div',
        { class: 'card' },
        h('p', { class: 'muted' }, t('office.importHelp')),
        field(t('office.file'), file),
        validOnly,
        h('div', { class: 'row' }, checkBtn, importBtn),
      ),
      out,
      h(
        'div',
        { class: 'card row' },
        h('span', { class: 'grow muted' }, t('office.exportHelp')),
        exportButton('/api/stores/export.csv', 'stores.csv'),
      ),
    ];
  });
}
