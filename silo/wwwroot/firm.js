'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const pageSize = 50;
  let page = 1, total = 0, items = [];

  function showSummary(s) {
    hh.set($('aum'), hh.money.format(s.assetsUnderManagement));
    hh.set($('accounts'), s.accountsMonitored.toLocaleString('en-US'));
    hh.set($('households'), s.householdsMonitored.toLocaleString('en-US'));
    hh.set($('drifting'), s.accountsOutOfTolerance.toLocaleString('en-US'));
    hh.set($('harvestable'), s.accountsHarvestable.toLocaleString('en-US'));
    hh.set($('harvested'), hh.money.format(s.harvestedLossesYearToDate));
    hh.set($('rate'), s.triggersPerMinute.toFixed(1));
    hh.set($('pending'), s.pendingProposals.toLocaleString('en-US'));
    $('asof').textContent = `Price batch ${s.priceSequence} · ${s.silos} silo${s.silos === 1 ? '' : 's'} reporting · ${new Date(s.asOf).toLocaleTimeString()}`;
  }

  function renderHouseholds() {
    const filter = $('filter').value.trim().toLowerCase();
    const body = document.querySelector('#households-table tbody');
    body.replaceChildren(...items
      .filter(h => !filter || [h.id, h.name, h.advisorId].some(x => x.toLowerCase().includes(filter)))
      .map(h => hh.el('tr', {},
        hh.el('td', {}, hh.el('a', { href: `/households/${encodeURIComponent(h.id)}` }, h.id)),
        hh.el('td', {}, h.name), hh.el('td', {}, h.advisorId), hh.el('td', { class: 'num' }, h.accounts))));
    const pages = Math.max(1, Math.ceil(total / pageSize));
    $('page-info').textContent = `Page ${page} of ${pages} · ${total} households`;
    $('prev').disabled = page <= 1;
    $('next').disabled = page >= pages;
  }

  async function loadHouseholds() {
    const result = await hh.api(`/api/households?page=${page}&pageSize=${pageSize}`);
    total = result.total;
    items = result.items;
    renderHouseholds();
  }

  $('prev').addEventListener('click', () => { page--; loadHouseholds(); });
  $('next').addEventListener('click', () => { page++; loadHouseholds(); });
  $('filter').addEventListener('input', renderHouseholds);

  hh.api('/api/firm/summary').then(showSummary).catch(e => { $('asof').textContent = e.message; });
  loadHouseholds().catch(e => { $('page-info').textContent = e.message; });
  hh.stream('/api/firm/events', (kind, data) => { if (kind === 'summary') showSummary(data); }, (on) => {
    $('live-dot').classList.toggle('on', on);
    $('live-text').textContent = on ? 'live' : 'reconnecting…';
  });
})();
