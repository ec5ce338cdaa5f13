'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const { el, set, money, money2, num, pct, signed, cls } = hh;
  const match = location.pathname.match(/^\/households\/([^/]+)/);
  const id = match ? decodeURIComponent(match[1]) : new URLSearchParams(location.search).get('id');
  const typeNames = { taxable: 'Taxable', trust: 'Trust', ira: 'IRA', roth: 'Roth IRA', education529: '529 education' };
  const typeOrder = ['taxable', 'trust', 'ira', 'roth', 'education529'];
  let view = null, proposals = [], cells = new Map(), reloadTimer = null;
  const seen = new Set(); // sections rendered before: their open/closed state is the reader's

  const cell = (key, text, sign) => {
    const node = cells.get(key);
    if (!node) return;
    set(node, text);
    if (sign !== undefined) node.className = (node.className.replace(/\b(pos|neg)\b/g, '').trim() + ' ' + cls(sign)).trim();
  };

  function lotsOf(account) { return account.holdings.flatMap(h => h.lots.map(l => ({ ...l, symbol: h.symbol, price: h.price }))); }

  function figures() {
    const cash = view.accounts.reduce((s, a) => s + a.cash, 0);
    const unrealized = view.accounts.reduce((s, a) => s + lotsOf(a).reduce((t, l) => t + l.unrealizedGain, 0), 0);
    const ytd = view.tax.yearToDate;
    set($('hh-mv'), money2.format(view.marketValue));
    set($('hh-cash'), money2.format(cash));
    set($('hh-unrealized'), signed(unrealized));
    $('hh-unrealized').className = 'value ' + cls(unrealized);
    set($('hh-realized'), `${money.format(ytd.shortTerm)} / ${money.format(ytd.longTerm)}`);
    set($('hh-disallowed'), money.format(ytd.disallowed));
    const seq = Math.max(0, ...view.accounts.map(a => a.priceSequence));
    set($('hh-seq'), new Date().toLocaleTimeString());
    $('hh-seq').title = `price batch ${seq}`;
    $('hh-seq').dataset.sequence = String(seq);
  }

  function allocation() {
    const lines = view.assetClassDrift.filter(l => l.weight > 0.0005 || l.target > 0);
    $('allocation').replaceChildren(lines.length ? hh.allocationChart(lines) : el('div', { class: 'empty' }, 'No target.'));
  }

  function harvest() {
    const rows = [];
    for (const a of view.accounts) {
      const policy = a.spec.harvest;
      if (!policy.enabled) continue;
      for (const l of lotsOf(a)) {
        if (l.unrealizedGain >= 0) continue;
        const loss = -l.unrealizedGain, basis = l.lot.basis;
        rows.push({ a, l, loss, ready: loss >= policy.minLossDollars && basis > 0 && loss / basis >= policy.minLossPercent });
      }
    }
    rows.sort((x, y) => y.loss - x.loss);
    const triggers = view.accounts.flatMap(a => a.openTriggers.filter(t => t.kind === 'harvest'));
    $('harvest').replaceChildren(rows.length === 0 ? el('div', { class: 'empty' }, 'No lot is at a loss in a harvesting account.') :
      el('div', {},
        el('div', { class: 'sub' }, `${rows.filter(r => r.ready).length} lots past their account's thresholds · ${triggers.length} open harvest triggers`),
        el('table', {}, el('thead', {}, el('tr', {}, ['Account', 'Lot', 'Symbol', 'Term'].map(h => el('th', {}, h)), el('th', { class: 'num' }, 'Shares'), el('th', { class: 'num' }, 'Loss'), el('th', {}, ''))),
          el('tbody', {}, rows.slice(0, 20).map(r => el('tr', {},
            el('td', {}, r.a.spec.id), el('td', {}, r.l.lot.id), el('td', {}, r.l.symbol), el('td', {}, r.l.term),
            el('td', { class: 'num' }, num.format(r.l.lot.quantity)), el('td', { class: 'num neg' }, money2.format(-r.loss)),
            el('td', {}, r.ready ? el('span', { class: 'badge warn' }, 'harvestable') : '')))))));
  }

  function washSales() {
    const rows = view.tax.accounts.flatMap(a => a.buyBlackouts.map(b => ({ account: a.accountId, ...b })));
    $('washsales').replaceChildren(rows.length === 0 ? el('div', { class: 'empty' }, 'No open wash-sale window: every account may buy anything.') :
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Account'), el('th', {}, 'Do not buy'), el('th', {}, 'Until (inclusive)'), el('th', { class: 'num' }, 'Open loss shares'), el('th', {}, ''))),
        el('tbody', {}, rows.map(r => el('tr', {}, el('td', {}, r.account), el('td', {}, r.washSaleKey), el('td', {}, r.washesThrough),
          el('td', { class: 'num' }, num.format(r.unmatchedQuantity)), el('td', {}, r.permanent ? el('span', { class: 'badge bad' }, 'permanent if bought') : ''))))));
  }

  function driftLines(account) {
    const classes = account.drift.filter(d => d.level === 'assetClass' && (d.weight > 0.0005 || d.target > 0));
    const securities = account.drift.filter(d => d.level === 'security' && (d.weight > 0.0005 || d.target > 0))
      .sort((x, y) => Math.abs(y.drift) - Math.abs(x.drift)).slice(0, 10);
    return [...classes, ...securities];
  }

  function accounts() {
    cells = new Map();
    const open = new Set([...document.querySelectorAll('#accounts details[open]')].map(d => d.dataset.key));
    const groups = typeOrder.map(t => [t, view.accounts.filter(a => a.spec.type === t)]).filter(([, list]) => list.length);
    $('accounts').replaceChildren(...groups.flatMap(([type, list]) => [
      el('div', { class: 'group-title' }, `${typeNames[type] || type} accounts`),
      ...list.map(a => {
        const mv = el('span', { class: 'mv' }, money2.format(a.marketValue)); cells.set(`mv:${a.spec.id}`, mv);
        const cash = el('span', { 'data-cell': `cash:${a.spec.id}` }, money2.format(a.cash)); cells.set(`cash:${a.spec.id}`, cash);
        const drift = el('div', { 'data-drift': a.spec.id }); drift.append(a.drift.length ? hh.driftChart(driftLines(a)) : el('div', { class: 'empty' }, 'No model: watched for harvests only.'));
        const out = a.drift.filter(d => d.outOfBand).length;
        const holdings = el('table', { 'data-holdings': a.spec.id },
          el('thead', {}, el('tr', {}, el('th', {}, 'Symbol'), el('th', {}, 'Class'), ['Shares', 'Price', 'Value', 'Weight', 'Unrealized'].map(h => el('th', { class: 'num' }, h)))),
          el('tbody', {}, a.holdings.map(h => {
            const u = h.lots.reduce((s, l) => s + l.unrealizedGain, 0);
            const k = `${a.spec.id}|${h.symbol}`;
            const tds = [el('td', { class: 'num', 'data-cell': `qty:${k}` }, num.format(h.quantity)), el('td', { class: 'num' }, money2.format(h.price)), el('td', { class: 'num' }, money2.format(h.marketValue)),
              el('td', { class: 'num' }, pct(h.weight)), el('td', { class: 'num ' + cls(u) }, signed(u))];
            ['qty', 'price', 'mv', 'weight', 'u'].forEach((n, i) => cells.set(`${n}:${k}`, tds[i]));
            return el('tr', {}, el('td', {}, h.symbol), el('td', {}, h.assetClass), tds);
          })));
        const lots = lotsOf(a);
        const lotTable = el('table', {},
          el('thead', {}, el('tr', {}, ['Lot', 'Symbol', 'Purchased', 'Holding since', 'Term'].map(h => el('th', {}, h)), ['Shares', 'Basis', 'Value', 'Unrealized'].map(h => el('th', { class: 'num' }, h)))),
          el('tbody', {}, lots.map(l => {
            const k = `${a.spec.id}|${l.lot.id}`;
            const v = el('td', { class: 'num' }, money2.format(l.marketValue)), u = el('td', { class: 'num ' + cls(l.unrealizedGain) }, signed(l.unrealizedGain));
            cells.set(`lotmv:${k}`, v); cells.set(`lotu:${k}`, u);
            return el('tr', {}, el('td', {}, l.lot.id), el('td', {}, l.symbol), el('td', {}, l.lot.purchased), el('td', {}, l.lot.holdingSince),
              el('td', {}, el('span', { class: 'badge ' + (l.term === 'long' ? 'good' : 'grey') }, l.term)), el('td', { class: 'num' }, num.format(l.lot.quantity)),
              el('td', { class: 'num' }, money2.format(l.lot.basis)), v, u);
          })));
        const details = (key, title, body) => { const d = el('details', { 'data-key': key }, el('summary', {}, title), body); if (open.has(key) || (!seen.has(key) && key.startsWith('h:'))) d.open = true; seen.add(key); return d; };
        return el('section', { class: 'account', 'data-account': a.spec.id },
          el('div', { class: 'head' },
            el('strong', {}, a.spec.name), el('span', { class: 'sub', style: 'margin:0' }, a.spec.id),
            el('span', { class: 'badge grey' }, typeNames[a.spec.type] || a.spec.type),
            el('span', { class: 'badge ' + (a.spec.discretionary ? 'good' : 'warn') }, a.spec.discretionary ? 'discretionary' : 'needs approval'),
            a.spec.modelId ? el('span', { class: 'badge' }, 'model ' + a.spec.modelId) : null,
            out ? el('span', { class: 'badge bad' }, `${out} out of tolerance`) : null,
            el('span', { class: 'sub', style: 'margin:0 0 0 auto' }, 'cash ', cash), mv),
          el('div', { class: 'body' },
            el('div', {}, el('h3', {}, 'Drift (percentage points; band shaded)'), drift),
            el('div', {}, details(`h:${a.spec.id}`, `Holdings (${a.holdings.length})`, holdings), details(`l:${a.spec.id}`, `Lots (${lots.length})`, lotTable))));
      })]));
  }

  function proposalCard(p, pending) {
    const accounts = new Map(view.accounts.map(a => [a.spec.id, a.spec]));
    const result = el('span', { class: 'sub', style: 'margin:0' });
    const approve = el('button', { class: 'primary', 'data-approve': p.id }, 'Approve');
    const reject = el('button', { class: 'danger', 'data-reject': p.id }, 'Reject');
    async function decide(action) {
      approve.disabled = reject.disabled = true;
      result.textContent = action === 'approve' ? 'Approving: re-validating and executing…' : 'Rejecting…';
      try {
        const done = await hh.api(`/api/households/${encodeURIComponent(id)}/proposals/${encodeURIComponent(p.id)}/${action}`, { method: 'POST', body: action === 'reject' ? JSON.stringify({ note: 'rejected from the household page' }) : undefined });
        result.textContent = `${done.id}: ${done.status}${done.note ? ' (' + done.note + ')' : ''}`;
        await reload();
      } catch (e) { result.textContent = e.message; result.className = 'error'; approve.disabled = reject.disabled = false; }
    }
    approve.addEventListener('click', () => decide('approve'));
    reject.addEventListener('click', () => decide('reject'));
    const causes = [...new Set(p.causes.map(c => `${c.kind} ${c.subject}`))].slice(0, 6).join(', ');
    const explanation = `/api/households/${encodeURIComponent(id)}/proposals/${encodeURIComponent(p.id)}/explanation`;
    return el('div', { class: 'proposal', 'data-proposal': p.id, 'data-status': p.status },
      el('div', {}, el('strong', {}, p.id), el('span', { class: 'badge ' + (p.status === 'pending' ? 'warn' : p.status === 'executed' ? 'good' : 'grey') }, p.status),
        el('span', { class: 'sub', style: 'margin:0 0 0 10px' }, `created ${new Date(p.createdAt).toLocaleString()}${pending ? ' · expires ' + new Date(p.expiresAt).toLocaleString() : ''}`),
        el('span', { class: 'sub', style: 'margin:0 0 0 10px' }, 'client explanation: ',
          el('a', { href: explanation + '.html', target: '_blank', 'data-explain-html': p.id }, 'HTML'), ' · ',
          el('a', { href: explanation + '.pdf', target: '_blank', 'data-explain-pdf': p.id }, 'PDF'))),
      el('div', { class: 'sub', style: 'margin:6px 0' }, `Because: ${causes || 'requested'} · tracking error ${pct(p.trackingErrorBefore, 2)} → ${pct(p.trackingErrorAfter, 2)} · realized short ${money.format(p.shortTermGain)}, long ${money.format(p.longTermGain)}${p.note ? ' · ' + p.note : ''}`),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Account'), el('th', {}, 'Side'), el('th', {}, 'Symbol'), el('th', { class: 'num' }, 'Shares'), el('th', { class: 'num' }, 'Amount'), el('th', {}, 'Why'), el('th', { class: 'num' }, 'Gain'))),
        el('tbody', {}, p.trades.map(t => el('tr', {}, el('td', {}, `${t.account}${accounts.get(t.account) ? ' · ' + (typeNames[accounts.get(t.account).type] || '') : ''}`),
          el('td', { class: t.side === 'sell' ? 'neg' : 'pos' }, t.side), el('td', {}, t.symbol), el('td', { class: 'num' }, num.format(t.quantity)),
          el('td', { class: 'num' }, money2.format(t.amount)), el('td', {}, t.reasons), el('td', { class: 'num ' + cls(t.shortTermGain + t.longTermGain) }, signed(t.shortTermGain + t.longTermGain)))))),
      p.orders && p.orders.length ? el('div', { class: 'sub', 'data-orders': p.id, style: 'margin:6px 0' }, 'Orders: ' + p.orders.map(o =>
        `${o.clientOrderId} ${o.side} ${num.format(o.quantity)} ${o.symbol} ${o.status}${o.filledQuantity ? ` (${num.format(o.filledQuantity)} at ${money2.format(o.averagePrice)})` : ''}`).join(' · ')) : null,
      pending ? el('div', { class: 'actions' }, approve, reject, result) : null);
  }

  function renderProposals() {
    const pending = proposals.filter(p => p.status === 'pending');
    $('proposals').replaceChildren(...(pending.length ? pending.map(p => proposalCard(p, true)) : [el('div', { class: 'empty' }, 'Nothing waiting for approval.')]));
    const decided = proposals.filter(p => p.status !== 'pending').slice(0, 8);
    $('decided').replaceChildren(...(decided.length ? decided.map(p => proposalCard(p, false)) : [el('div', { class: 'empty' }, 'No decisions yet.')]));
  }

  // Preview panel: the plan the engine would make now (POST /preview files nothing), next to the pending proposals.
  async function loadPreview() {
    try { renderPreview(await hh.api(`/api/households/${encodeURIComponent(id)}/preview`, { method: 'POST' })); }
    catch (e) { $('preview').replaceChildren(el('div', { class: 'empty' }, `No preview: ${e.message}`)); }
  }

  function renderPreview(v) {
    const plan = v.plan, rec = v.record;
    const accounts = new Map(view ? view.accounts.map(a => [a.spec.id, a.spec]) : []);
    const head = el('div', { class: 'sub' }, `${rec.outcome === 'planned' ? `${plan.trades.length} trades` : rec.reason || rec.outcome} · tracking error ${pct(plan.trackingErrorBefore, 2)} → ${pct(plan.trackingErrorAfter, 2)} · ` +
      `realized short ${money.format(plan.shortTermGain)}, long ${money.format(plan.longTermGain)} · estimated tax `, el('strong', { 'data-preview-tax': String(v.estimatedTax) }, money2.format(v.estimatedTax)),
      ` (${v.rates.basis})`);
    const trades = plan.trades.length === 0 ? el('div', { class: 'empty' }, 'Nothing to trade now.') :
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Account'), el('th', {}, 'Side'), el('th', {}, 'Symbol'), el('th', { class: 'num' }, 'Shares'), el('th', { class: 'num' }, 'Amount'), el('th', {}, 'Why'), el('th', { class: 'num' }, 'Gain'))),
        el('tbody', {}, plan.trades.slice(0, 15).map(t => el('tr', {}, el('td', {}, `${t.account}${accounts.get(t.account) ? ' · ' + (typeNames[accounts.get(t.account).type] || '') : ''}`),
          el('td', { class: t.side === 'sell' ? 'neg' : 'pos' }, t.side), el('td', {}, t.symbol), el('td', { class: 'num' }, num.format(t.quantity)),
          el('td', { class: 'num' }, money2.format(t.amount)), el('td', {}, t.reasons), el('td', { class: 'num ' + cls(t.shortTermGain + t.longTermGain) }, signed(t.shortTermGain + t.longTermGain))))));
    const perAccount = el('div', { class: 'sub' }, v.accounts.map(a => `${a.account}: ${pct(a.trackingErrorBefore, 2)} → ${pct(a.trackingErrorAfter, 2)}`).join(' · '));
    const more = plan.trades.length > 15 ? el('div', { class: 'sub' }, `… and ${plan.trades.length - 15} more`) : null;
    $('preview').replaceChildren(el('div', { 'data-preview': v.householdId, 'data-trades': String(plan.trades.length) }, head, trades, more, perAccount,
      ...rec.relaxed.map(r => el('div', { class: 'sub' }, 'relaxed: ' + r))));
  }

  // Fresh plan: one click decides now (discretionary trades execute, others become pending proposals), then the page refreshes.
  async function freshPlan() {
    const button = $('fresh-plan');
    button.disabled = true;
    $('fresh-status').textContent = 'Planning…';
    try {
      const made = await hh.api(`/api/households/${encodeURIComponent(id)}/rebalance`, { method: 'POST' });
      $('fresh-status').textContent = made.length ? `New plan: ${made.map(p => `${p.id} (${p.status})`).join(', ')}` : 'Nothing worth trading now.';
      $('fresh-status').dataset.proposals = made.map(p => p.id).join(' ');
      await Promise.all([reload(), loadPreview()]);
    } catch (e) { $('fresh-status').textContent = e.message; }
    finally { button.disabled = false; }
  }
  $('fresh-plan').addEventListener('click', freshPlan);

  // Transition panel: the stored budget fills the form; Plan asks for the multi-year plan, Save stores the budget (writers only).
  let transitionPolicy = null;
  async function loadTransition() {
    transitionPolicy = await hh.api(`/api/households/${encodeURIComponent(id)}/tax-budget`);
    if (transitionPolicy.budget) {
      $('tr-budget').value = transitionPolicy.budget.amount;
      $('tr-unit').value = transitionPolicy.budget.unit;
      await planTransition();
    } else $('transition').replaceChildren(el('div', { class: 'empty' }, 'No tax budget stored: enter one and plan.'));
  }

  async function planTransition() {
    const budget = $('tr-budget').value, years = $('tr-years').value || '5';
    const query = new URLSearchParams({ years });
    if (budget !== '') { query.set('budget', budget); query.set('unit', $('tr-unit').value); }
    $('tr-status').textContent = 'Planning…';
    try {
      const plan = await hh.api(`/api/households/${encodeURIComponent(id)}/transition?${query}`);
      $('tr-status').textContent = '';
      renderTransition(plan);
      const explanation = `/api/households/${encodeURIComponent(id)}/transition/explanation`;
      $('tr-explain-html').href = `${explanation}.html?${query}`;
      $('tr-explain-pdf').href = `${explanation}.pdf?${query}`;
      $('tr-explain').hidden = false;
    } catch (e) { $('tr-status').textContent = e.message; }
  }

  async function saveBudget() {
    const amount = Number($('tr-budget').value);
    const body = { ...(transitionPolicy || { accountBudgets: [], sellDowns: [] }), budget: $('tr-budget').value === '' ? null : { amount, unit: $('tr-unit').value } };
    try {
      transitionPolicy = await hh.api(`/api/households/${encodeURIComponent(id)}/tax-budget`, { method: 'PUT', body: JSON.stringify(body) });
      $('tr-status').textContent = 'Saved.';
    } catch (e) { $('tr-status').textContent = e.message; }
  }

  function renderTransition(plan) {
    const unit = plan.budget.unit === 'tax' ? 'of tax' : 'of net gains';
    const needed = plan.yearsNeeded === null ? '' : `${plan.yearsNeeded} year${plan.yearsNeeded === 1 ? '' : 's'}: `;
    $('transition').replaceChildren(el('div', { 'data-transition': plan.householdId },
      el('div', { class: 'sub' }, `${money.format(plan.budget.amount)} ${unit} a year · now tracking error ${pct(plan.trackingErrorBefore, 2)}, ${money.format(plan.outsideModelBefore)} outside the model` +
        (plan.realizedYearToDate ? ` · ${money.format(plan.realizedYearToDate)} realized earlier this year counts against ${plan.asOf.slice(0, 4)}` : '')),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Year'), ['Short-term gain', 'Long-term gain', 'Losses harvested', 'Estimated tax', 'Sold', 'Tracking error', 'Outside model'].map(h => el('th', { class: 'num' }, h)))),
        el('tbody', {}, plan.years.map(y => el('tr', { 'data-year': String(y.year) }, el('td', {}, String(y.year)),
          el('td', { class: 'num ' + cls(y.shortTermGain) }, money2.format(y.shortTermGain)), el('td', { class: 'num ' + cls(y.longTermGain) }, money2.format(y.longTermGain)),
          el('td', { class: 'num' }, money2.format(y.harvestedLosses)), el('td', { class: 'num' }, money2.format(y.estimatedTax)), el('td', { class: 'num' }, money2.format(y.sold)),
          el('td', { class: 'num' }, pct(y.trackingError, 2)), el('td', { class: 'num' }, money2.format(y.outsideModel)))))),
      el('div', { class: 'sub' }, `${needed}${plan.conclusion}; final tracking error ${pct(plan.finalTrackingError, 2)}`)));
  }

  $('tr-plan').addEventListener('click', planTransition);
  $('tr-save').addEventListener('click', saveBudget);

  function renderAll() {
    document.title = `Households · ${view.name}`;
    $('title').textContent = view.name;
    $('crumb').textContent = view.id;
    $('subtitle').textContent = `${view.id} · advisor ${view.advisorId} · ${view.accounts.length} accounts`;
    figures(); allocation(); harvest(); washSales(); accounts(); renderProposals();
  }

  async function reload() {
    const [v, p] = await Promise.all([hh.api(`/api/households/${encodeURIComponent(id)}`), hh.api(`/api/households/${encodeURIComponent(id)}/proposals`)]);
    view = v; proposals = p;
    renderAll();
  }

  function scheduleReload() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => reload().catch(e => { $('error').textContent = e.message; }), 300);
  }

  // A price batch: new prices, values and drift; the structure (holdings, lots) only changes with trades.
  function applyValuation(v) {
    if (!view) return;
    let structural = false;
    view.marketValue = v.marketValue;
    view.assetClassDrift = v.assetClassDrift;
    for (const live of v.accounts) {
      const a = view.accounts.find(x => x.spec.id === live.id);
      if (!a || a.holdings.length !== live.holdings.length) { structural = true; continue; }
      a.cash = live.cash; a.marketValue = live.marketValue; a.drift = live.drift; a.priceSequence = v.priceSequence;
      cell(`mv:${a.spec.id}`, money2.format(a.marketValue));
      cell(`cash:${a.spec.id}`, money2.format(a.cash));
      for (const lh of live.holdings) {
        const h = a.holdings.find(x => x.symbol === lh.symbol);
        if (!h || h.quantity !== lh.quantity) { structural = true; continue; }
        Object.assign(h, { price: lh.price, marketValue: lh.marketValue, weight: lh.weight });
        const k = `${a.spec.id}|${h.symbol}`;
        cell(`price:${k}`, money2.format(h.price)); cell(`mv:${k}`, money2.format(h.marketValue)); cell(`weight:${k}`, pct(h.weight));
        cell(`u:${k}`, signed(lh.unrealizedGain), lh.unrealizedGain);
        for (const l of h.lots) {
          l.marketValue = Math.round(l.lot.quantity * h.price * 100) / 100;
          l.unrealizedGain = Math.round((l.marketValue - l.lot.basis) * 100) / 100;
          cell(`lotmv:${a.spec.id}|${l.lot.id}`, money2.format(l.marketValue));
          cell(`lotu:${a.spec.id}|${l.lot.id}`, signed(l.unrealizedGain), l.unrealizedGain);
        }
      }
      const chart = document.querySelector(`[data-drift="${CSS.escape(a.spec.id)}"]`);
      if (chart && a.drift.length) chart.replaceChildren(hh.driftChart(driftLines(a)));
    }
    if (structural) { scheduleReload(); return; }
    figures(); allocation(); harvest();
  }

  function feed(kind, e) {
    const list = $('feed');
    list.querySelector('.empty')?.remove();
    const text = kind === 'valuation' ? `Prices batch ${e.priceSequence}: value ${money2.format(e.marketValue)}` : `${kind}: ${e.summary}`;
    list.prepend(el('div', { 'data-kind': kind }, el('time', {}, new Date(e.at || Date.now()).toLocaleTimeString()), text));
    while (list.children.length > 100) list.lastChild.remove();
  }

  if (!id) { $('error').textContent = 'No household id in the address.'; return; }
  reload().catch(e => { $('title').textContent = 'Household not available'; $('error').textContent = e.message; });
  loadTransition().catch(e => { $('tr-status').textContent = e.message; });
  loadPreview();
  hh.stream(`/api/households/${encodeURIComponent(id)}/events`, (kind, data) => {
    if (kind === 'valuation') { applyValuation(data); return; }
    feed(kind, data);
    if (kind === 'trade' || kind.startsWith('proposal')) scheduleReload();
  }, (on) => {
    $('live-dot').classList.toggle('on', on);
    $('live-text').textContent = on ? 'live' : 'reconnecting…';
  });
})();
