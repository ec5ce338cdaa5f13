// Shared helpers for the pages: API calls with the browser's cookie, the live stream, formatting, SVG charts.
'use strict';

const hh = (() => {
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  const money2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

  function toLogin() {
    location.href = '/login?returnUrl=' + encodeURIComponent(location.pathname + location.search);
  }

  // Same-origin fetch sends the auth cookie; a 401 means the session is gone.
  async function api(path, options = {}) {
    const response = await fetch(path, { credentials: 'same-origin', headers: { 'Accept': 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) }, ...options });
    if (response.status === 401) { toLogin(); throw new Error('not signed in'); }
    if (!response.ok) {
      let detail = response.statusText;
      try { const p = await response.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
      throw new Error(`${response.status}: ${detail}`);
    }
    return response.status === 204 ? null : response.json();
  }

  // Reads a text/event-stream with fetch (so cookies and any future headers apply) and reconnects after a drop.
  function stream(path, onEvent, onState) {
    let stopped = false;
    const controller = new AbortController();
    async function run() {
      while (!stopped) {
        try {
          const response = await fetch(path, { credentials: 'same-origin', headers: { 'Accept': 'text/event-stream' }, signal: controller.signal });
          if (response.status === 401) { toLogin(); return; }
          if (!response.ok || !response.body) throw new Error('stream ' + response.status);
          onState && onState(true);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let cut;
            while ((cut = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const message = { event: 'message', data: '', id: null };
              for (const line of block.split('\n')) {
                if (line.startsWith(':')) continue;
                const colon = line.indexOf(':');
                const field = colon < 0 ? line : line.slice(0, colon);
                const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
                if (field === 'event') message.event = text;
                else if (field === 'data') message.data += (message.data ? '\n' : '') + text;
                else if (field === 'id') message.id = text;
              }
              if (message.data) {
                try { onEvent(message.event, JSON.parse(message.data), message.id); } catch (e) { console.error(e); }
              }
            }
          }
        } catch (e) {
          if (stopped) return;
        }
        onState && onState(false);
        await new Promise(r => setTimeout(r, 3000));
      }
    }
    run();
    return () => { stopped = true; controller.abort(); };
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  // Writes text into an element and flashes it when the value changed.
  function set(node, text) {
    if (!node) return;
    if (node.textContent !== text) {
      const had = node.textContent !== '';
      node.textContent = text;
      if (had) { node.classList.add('flash'); setTimeout(() => node.classList.remove('flash'), 700); }
    }
  }

  const pct = (x, digits = 1) => (x * 100).toFixed(digits) + '%';
  const signed = (x) => (x > 0 ? '+' : '') + money2.format(x);
  const cls = (x) => x > 0 ? 'pos' : x < 0 ? 'neg' : '';

  const NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children.flat()) if (c) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  // Horizontal bars: weight (filled) against target (tick) for each line; out-of-band lines in red.
  function allocationChart(lines) {
    const rowH = 24, labelW = 130, barW = 260, valueW = 110;
    const max = Math.max(0.05, ...lines.map(l => Math.max(l.weight, l.target))) * 1.1;
    const width = labelW + barW + valueW;
    const chart = svg('svg', { viewBox: `0 0 ${width} ${lines.length * rowH + 6}`, width: '100%', role: 'img', 'aria-label': 'Allocation against target' });
    lines.forEach((l, i) => {
      const y = i * rowH + 4;
      const w = Math.max(0, l.weight) / max * barW, t = l.target / max * barW;
      chart.append(
        svg('text', { x: 0, y: y + 13 }, l.key.length > 18 ? l.key.slice(0, 17) + '…' : l.key),
        svg('rect', { x: labelW, y: y + 3, width: barW, height: 14, fill: '#f2f4f7', rx: 2 }),
        svg('rect', { x: labelW + Math.max(0, t - l.tolerance / max * barW), y: y + 3, width: Math.min(t, l.tolerance / max * barW) + l.tolerance / max * barW, height: 14, fill: '#d1e0ff', rx: 2 }),
        svg('rect', { x: labelW, y: y + 6, width: w, height: 8, fill: l.outOfBand ? '#f04438' : '#2e90fa', rx: 2, 'data-key': l.key }),
        svg('line', { x1: labelW + t, x2: labelW + t, y1: y + 1, y2: y + 19, stroke: '#344054', 'stroke-width': 2 }),
        svg('text', { x: labelW + barW + 8, y: y + 13 }, `${pct(l.weight)} / ${pct(l.target)}`));
    });
    return chart;
  }

  // Drift bars centred on zero: drift against the tolerance band (shaded).
  function driftChart(lines) {
    const rowH = 20, labelW = 110, barW = 200, valueW = 60;
    const max = Math.max(0.01, ...lines.map(l => Math.max(Math.abs(l.drift), l.tolerance))) * 1.15;
    const mid = labelW + barW / 2;
    const chart = svg('svg', { viewBox: `0 0 ${labelW + barW + valueW} ${lines.length * rowH + 6}`, width: '100%', role: 'img', 'aria-label': 'Drift against tolerance' });
    lines.forEach((l, i) => {
      const y = i * rowH + 3;
      const half = barW / 2, d = l.drift / max * half, tol = l.tolerance / max * half;
      chart.append(
        svg('text', { x: 0, y: y + 12 }, l.key.length > 15 ? l.key.slice(0, 14) + '…' : l.key),
        svg('rect', { x: mid - tol, y: y + 2, width: 2 * tol, height: 14, fill: '#ecfdf3' }),
        svg('rect', { x: d >= 0 ? mid : mid + d, y: y + 5, width: Math.abs(d), height: 8, fill: l.outOfBand ? '#f04438' : '#53b1fd', 'data-key': l.key }),
        svg('line', { x1: mid, x2: mid, y1: y, y2: y + 18, stroke: '#98a2b3' }),
        svg('text', { x: labelW + barW + 6, y: y + 12 }, (l.drift > 0 ? '+' : '') + (l.drift * 100).toFixed(2)));
    });
    return chart;
  }

  return { api, stream, el, set, money, money2, num, pct, signed, cls, allocationChart, driftChart, toLogin };
})();
