'use strict';
// Custodian reconciliation: a position file posted to /api/reconciliation, the report per account (matched lines, quantity
// and basis breaks, missing and extra lots, cash), and each account's breaks resolved: accept the custodian (corrections of
// record) or keep our books with a note.
(() => {
  const $ = (id) => document.getElementById(id);
  const kinds = { matched: 'good', quantityBreak: 'bad', basisBreak: 'warn', missingLot: 'bad', extraLot: 'bad', cashBreak: 'warn' };
  const value = (v) => v === null || v === undefined ? '' : hh.num.format(v);
  const shown = new Map(); // account -> latest report

  function accountPanel(a) {
    const resolved = a.resolution
      ? hh.el('div', { class: 'sub', 'data-resolution': a.account },
          `Resolved ${a.resolution.action === 'acceptCustodian' ? 'by accepting the custodian' : 'keeping our books'}` +
          ` by ${a.resolution.resolvedBy || 'unknown'} at ${a.resolution.resolvedAt}` +
          (a.resolution.corrections ? `: ${a.resolution.corrections} corrections of record` : '') + (a.resolution.note ? ` (${a.resolution.note})` : ''))
      : null;
    const actions = a.status === 'breaks' && !a.resolution
      ? hh.el('div', { class: 'pager' },
          hh.el('button', { class: 'primary', 'data-accept': a.account, onclick: () => resolve(a.account, 'acceptCustodian') }, 'Accept custodian'),
          hh.el('input', { class: 'search', id: `note-${a.account}`, placeholder: 'why our books are right' }),
          hh.el('button', { 'data-keep': a.account, onclick: () => resolve(a.account, 'keepOurs') }, 'Keep ours'))
      : null;
    const badge = { matched: 'good', breaks: 'bad', unknownAccount: 'grey' }[a.status] || 'grey';
    return hh.el('div', { class: 'panel', 'data-account': a.account, 'data-status': a.status },
      hh.el('h2', {}, `${a.account} `, hh.el('span', { class: `badge ${badge}` }, a.status), a.householdId ? ` · ${a.householdId}` : '',
        ` · as of ${a.asOf} · ${a.breaks} break${a.breaks === 1 ? '' : 's'}`),
      hh.el('table', {},
        hh.el('thead', {}, hh.el('tr', {}, ...['Line', 'Symbol', 'Our lot', 'Their lot', 'Acquired', 'Our qty', 'Their qty', 'Our basis', 'Their basis', 'Difference', 'File line']
          .map((h, i) => hh.el('th', { class: i >= 5 && i <= 9 ? 'num' : '' }, h)))),
        hh.el('tbody', {}, ...a.lines.map(l => hh.el('tr', { 'data-kind': l.kind },
          hh.el('td', {}, hh.el('span', { class: `badge ${kinds[l.kind] || 'grey'}` }, l.kind)),
          hh.el('td', {}, l.symbol), hh.el('td', {}, l.lot || ''), hh.el('td', {}, l.custodianLot || ''), hh.el('td', {}, l.acquired || ''),
          hh.el('td', { class: 'num' }, value(l.ourQuantity)), hh.el('td', { class: 'num' }, value(l.theirQuantity)),
          hh.el('td', { class: 'num' }, value(l.ourBasis)), hh.el('td', { class: 'num' }, value(l.theirBasis)),
          hh.el('td', { class: 'num' }, value(l.difference)), hh.el('td', {}, l.fileLine ?? ''))))),
      resolved, actions);
  }

  function render() {
    $('reports').replaceChildren(...[...shown.values()].map(accountPanel));
  }

  async function resolve(account, action) {
    const note = action === 'keepOurs' ? ($(`note-${account}`).value.trim() || null) : null;
    try {
      shown.set(account, await hh.api(`/api/reconciliation/${encodeURIComponent(account)}/resolve`, { method: 'POST', body: JSON.stringify({ action, note }) }));
      $('status').textContent = `${account} resolved`;
      render();
    } catch (e) { $('status').textContent = e.message; }
  }

  async function readFile() {
    const f = $('file').files[0];
    if (f) $('text').value = await f.text();
    $('run').disabled = !$('text').value.trim();
  }

  $('file').addEventListener('change', readFile);
  $('text').addEventListener('input', () => { $('run').disabled = !$('text').value.trim(); });
  $('run').addEventListener('click', async () => {
    $('status').textContent = 'reconciling…';
    try {
      const report = await hh.api('/api/reconciliation', { method: 'POST', body: JSON.stringify({ positions: $('text').value, asOf: $('asof').value || null }) });
      shown.clear();
      for (const a of report.accounts) shown.set(a.account, a);
      const breaks = report.accounts.filter(a => a.status === 'breaks').length;
      $('status').textContent = `${report.accounts.length} accounts, ${breaks} with breaks`;
      render();
    } catch (e) { $('status').textContent = e.message; }
  });
  $('lookup').addEventListener('click', async () => {
    const account = $('account').value.trim();
    if (!account) return;
    try { shown.set(account, await hh.api(`/api/reconciliation?account=${encodeURIComponent(account)}`)); render(); }
    catch (e) { $('status').textContent = e.message; }
  });
})();
