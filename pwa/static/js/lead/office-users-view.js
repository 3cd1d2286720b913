// User accounts (the admin's): the list by role and status, a new account (role, team or area,
// password, a rep's travel mode), and for one user: move to another team, a rep's travel mode,
// reset the password, disable or enable.
import { t } from '../i18n.js';
import { getJSON, request } from '../api.js';
import { render } from '../router.js';
import { h, field, select, toast } from '../ui.js';
import { table } from './lead-ui.js';
import { apiForm, failed, isAdmin, officeScreen, options, pager, teams } from './office-ui.js';

const ROLES = ['rep', 'supervisor', 'area_manager', 'admin'];
// How a rep gets from store to store (plans use its road network); none: the organisation's.
const TRAVEL_MODES = ['car', 'scooter', 'bicycle', 'foot'];
const travelOptions = () => [['', t('office.travelDefault')], ...TRAVEL_MODES.map((m) => [m, t(`travel.${m}`)])];
const PER_PAGE = 25;
const state = { role: '', page: 1 };

const patch = (user, json) => request('PATCH', `/api/users/${user.id}`, { json });

// withTravel: the API carries travel modes (it lists them with the users).
function createForm(teamList, areaList, withTravel) {
  const specs = [
    ['username', t('office.username')],
    ['full_name', t('office.fullName')],
    ['role', t('office.role'), { options: ROLES.map((r) => [r, t(`role.${r}`)]) }],
    ['team_id', t('office.team'), { number: true, options: options(teamList, (x) => x.name, t('office.noTeam')) }],
    ['area_id', t('office.area'), { number: true, options: options(areaList, (x) => x.name, t('office.noArea')) }],
    ['password', t('office.password'), { type: 'password', autocomplete: 'new-password' }],
  ];
  if (withTravel) specs.push(['travel_mode', t('office.travelMode'), { options: travelOptions(), nullable: true }]);
  const create = async (data) => {
    const user = await request('POST', '/api/users', { json: data });
    toast(t('office.userCreated', { name: user.username }));
    render();
  };
  return apiForm(specs, { role: 'rep' }, create, t('office.createUser'), { id: 'user-create' });
}

// A new password in a modal dialog; a refused one is marked at its field.
function passwordDialog(user, done) {
  const dialog = h('dialog', { class: 'office-dialog', 'aria-label': t('office.resetPassword') });
  const save = async (data) => {
    await patch(user, data);
    dialog.close();
    done();
  };
  const spec = [['password', t('office.password'), { type: 'password', autocomplete: 'new-password' }]];
  dialog.append(
    h('h3', {}, t('office.newPassword', { name: user.username })),
    apiForm(spec, {}, save, t('office.save'), { id: 'password-form' }),
    h('button', { type: 'button', onclick: () => dialog.close() }, t('office.cancel')),
  );
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

// One user's actions: move team, new password, disable/enable.
function userActions(user, teamList) {
  const done = (key) => () => {
    toast(t(key, { name: user.username }));
    render();
  };
  const team = select(
    options(teamList, (x) => x.name),
    { 'aria-label': t('office.moveTeam') },
  );
  team.value = String(user.team_id || '');
  team.addEventListener('change', () =>
    patch(user, { team_id: Number(team.value) })
      .then(done('office.moved'))
      .catch(failed),
  );
  const travel = select(travelOptions(), { 'aria-label': t('office.travelMode'), class: 'travel-mode' });
  travel.value = user.travel_mode || '';
  travel.addEventListener('change', () =>
    patch(user, { travel_mode: travel.value || null })
      .then(done('office.travelSaved'))
      .catch(failed),
  );
  const reset = () => passwordDialog(user, done('office.passwordReset'));
  const flip = () =>
    patch(user, { active: !user.active })
      .then(done(user.active ? 'office.disabled' : 'office.enabled'))
      .catch(failed);
  return h(
    'div',
    { class: 'row user-actions' },
    ['rep', 'supervisor'].includes(user.role) ? team : null,
    user.role === 'rep' && 'travel_mode' in user ? travel : null,
    h('button', { type: 'button', class: 'reset', onclick: reset }, t('office.resetPassword')),
    h(
      'button',
      { type: 'button', class: user.active ? 'danger toggle' : 'toggle', onclick: flip },
      t(user.active ? 'office.disable' : 'office.enable'),
    ),
  );
}

export function view() {
  return officeScreen('office.users', isAdmin(), async () => {
    const args = new URLSearchParams({ per_page: PER_PAGE, page: state.page });
    if (state.role) args.set('role', state.role);
    const [teamList, areaList, { data }] = await Promise.all([
      teams(),
      getJSON('/api/areas').then((r) => r.data),
      getJSON(`/api/users?${args}`),
    ]);
    const teamName = new Map(teamList.map((x) => [x.id, x.name]));
    const areaName = new Map(areaList.map((x) => [x.id, x.name]));
    const role = select([['', t('office.anyRole')], ...ROLES.map((r) => [r, t(`role.${r}`)])], { id: 'user-role' });
    role.value = state.role;
    role.addEventListener('change', () => {
      Object.assign(state, { role: role.value, page: 1 });
      render();
    });
    const label = (key) => t(`office.${key}`);
    const rows = data.items.map((u) =>
      h(
        'tr',
        { dataset: { username: u.username }, class: u.active ? null : 'inactive' },
        [
          ['username', u.username],
          ['fullName', u.full_name],
          ['role', t(`role.${u.role}`)],
          ['team', teamName.get(u.team_id) || areaName.get(u.area_id) || '—'],
          ['status', t(u.active ? 'office.active' : 'office.disabledStatus')],
          ['actions', userActions(u, teamList)],
        ].map(([key, content]) => h('td', { 'data-label': label(key) }, content)),
      ),
    );
    return [
      h(
        'details',
        { class: 'card-details' },
        h('summary', {}, t('office.createUser')),
        createForm(
          teamList,
          areaList,
          data.items.some((u) => 'travel_mode' in u),
        ),
      ),
      field(t('office.role'), role),
      table(
        { class: 'stack', id: 'user-table' },
        ['username', 'fullName', 'role', 'team', 'status', 'actions'].map(label),
        rows,
      ),
      pager(data.meta, (page) => {
        state.page = page;
        render();
      }),
    ];
  });
}
