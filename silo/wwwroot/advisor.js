'use strict';
// The advisor's queue: pending proposals across the caller's households, sorted and filtered by the API, decided in bulk;
// new proposals arrive through the advisor stream (/api/advisor/events).
(() => {
  const $ = (id) => document.getElementById(id);
  const pageSize = 50;
  let page = 1, total = 0, rows = [], loads = 0, reload = null;
  const selected = new Set();           // "household/proposal"
  const results = new Map();            // "household/proposal" -> bulk result
  const key = (r) => `${r.householdId}/${r.proposalId}`;

  function query() {
    const q = new URLSearchParams({ sort: $('sort').value, page, pageSize });
    for (const f of ['kind', 'household', 'advisor']) if ($(f).value.trim()) q.set(f, $(f).value.trim());
    return q;
  }

  function resultCell(r) {
    const res = results.get(key(r));
    if (!res) return hh.el('td', { 'data-result': key(r) });
    const badge = { executed: 'good', reoptimized: 'warn', rejected: 'grey', refused: 'bad', notFound: 'bad' }[res.outcome] || 'grey';
    return hh.el('td', { 'data-result': key(r), 'data-outcome': res.outcome, title: res.reason || '' },
      hh.el('span', { class: `badge ${badge}` }, res.outcome), res.newProposalId ? ` → ${res.newProposalId}` : '');
  }

  function render() {
    const body = document.querySelector('#queue tbody');
    if (rows.length === 0) body.replaceChildren(hh.el('tr', {}, hh.el('td', { colspan: 15, class: 'empty' }, 'Nothing waits for approval.')));
    else body.replaceChildren(...rows.map(r => hh.el('tr', { 'data-row': key(r), 'data-kind': r.kind },
      hh.el('td', {}, hh.el('input', { type: 'checkbox', 'data-select': key(r), checked: selected.has(key(r)),
        onchange: (e) => { e.target.checked ? selected.add(key(r)) : selected.delete(key(r)); buttons(); } })),
      hh.el('td', {}, hh.el('a', { href: `/households/${encodeURIComponent(r.householdId)}` }, r.householdId), ' ', hh.el('span', { class: 'sub' }, r.householdName)),
      hh.el('td', {}, r.advisorId),
      hh.el('td', {}, hh.el('a', { href: `/api/households/${encodeURIComponent(r.householdId)}/proposals/${encodeURIComponent(r.proposalId)}/explanation.html`, target: '_blank' }, r.proposalId)),
      hh.el('td', {}, hh.el('span', { class: 'badge' }, r.kind)),
      hh.el('td', {}, r.accounts.join(', ')),
      hh.el('td', { class: `num ${hh.cls(r.shortTermGain)}` }, hh.money2.format(r.shortTermGain)),
      hh.el('td', { class: `num ${hh.cls(r.longTermGain)}` }, hh.money2.format(r.longTermGain)),
      hh.el('td', { class: `num ${hh.cls(r.estimatedTaxBenefit)}`, title: r.ratesBasis }, hh.money2.format(r.estimatedTaxBenefit)),
      hh.el('td', { class: 'num' }, hh.money2.format(r.transactionCosts)),
      hh.el('td', { class: `num ${hh.cls(r.valueToClient)}`, 'data-value': key(r) }, hh.money2.format(r.valueToClient)),
      hh.el('td', { class: 'num' }, `${hh.pct(r.trackingErrorBefore, 2)} → ${hh.pct(r.trackingErrorAfter, 2)}`),
      hh.el('td', {}, new Date(r.expiresAt).toLocaleString()),
      hh.el('td', {}, r.pricesMoved ? hh.el('span', { class: 'badge warn', 'data-moved': key(r) }, 'moved') : hh.el('span', { class: 'badge good' }, 'within tolerance')),
      resultCell(r))));
    const pages = Math.max(1, Math.ceil(total / pageSize));
    $('page-info').textContent = `Page ${page} of ${pages} · ${total} pending`;
    $('prev').disabled = page <= 1;
    $('next').disabled = page >= pages;
    buttons();
  }

  function buttons() {
    $('approve').disabled = $('reject').disabled = selected.size === 0;
    $('all').checked = rows.length > 0 && rows.every(r => selected.has(key(r)));
  }

  async function load() {
    const mine = ++loads;
    try {
      const result = await hh.api('/api/advisor/queue?' + query());
      if (mine !== loads) return; // a later request (another sort or filter) answers instead
      total = result.total;
      // Decided rows stay on screen with their result until the next filter change.
      const decided = [...results.keys()].map(k => rows.find(r => key(r) === k)).filter(r => r && !result.items.some(i => key(i) === key(r)));
      rows = [...result.items, ...decided];
      $('asof').textContent = `${total} pending · as of ${new Date().toLocaleTimeString()}`;
      render();
    } catch (e) { $('page-info').textContent = e.message; }
  }

  async function decide(decision) {
    const chosen = rows.filter(r => selected.has(key(r)));
    if (chosen.length === 0) return;
    const note = decision === 'reject' ? (prompt('Note for the rejection', '') || null) : null;
    $('approve').disabled = $('reject').disabled = true;
    try {
      const response = await hh.api('/api/advisor/queue/decisions', {
        method: 'POST',
        body: JSON.stringify({ requestId: crypto.randomUUID(), decisions: chosen.map(r => ({ householdId: r.householdId, proposalId: r.proposalId, decision, note })) }),
      });
      for (const res of response.results) results.set(`${res.householdId}/${res.proposalId}`, res);
      selected.clear();
      await load();
    } catch (e) { $('asof').textContent = e.message; buttons(); }
  }

  function notice(n) {
    const feed = $('notices');
    feed.querySelector('.empty')?.remove();
    feed.prepend(hh.el('div', { 'data-notice': n.kind }, hh.el('time', {}, new Date(n.at).toLocaleTimeString()), hh.el('span', { class: 'badge' }, n.kind), ' ', n.summary));
    while (feed.children.length > 100) feed.lastElementChild.remove();
  }

  $('sort').addEventListener('change', () => { page = 1; load(); });
  $('kind').addEventListener('change', () => { page = 1; results.clear(); load(); });
  for (const f of ['household', 'advisor']) $(f).addEventListener('change', () => { page = 1; results.clear(); load(); });
  $('prev').addEventListener('click', () => { page--; load(); });
  $('next').addEventListener('click', () => { page++; load(); });
  $('all').addEventListener('change', (e) => { for (const r of rows) e.target.checked ? selected.add(key(r)) : selected.delete(key(r)); render(); });
  $('approve').addEventListener('click', () => decide('approve'));
  $('reject').addEventListener('click', () => decide('reject'));

  load();
  hh.stream('/api/advisor/events', (kind, data) => {
    const advisor = $('advisor').value.trim();
    if (advisor && data.advisorId !== advisor) return;
    notice(data);
    // New proposals come in bursts (a price batch decides many households): one reload for a burst.
    if (kind === 'proposal-pending' && !reload) reload = setTimeout(() => { reload = null; load(); }, 300);
  }, (on) => {
    $('live-dot').classList.toggle('on', on);
    $('live-text').textContent = on ? 'live' : 'reconnecting…';
  });
})();
