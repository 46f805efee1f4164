// A policy's leases, live: the server sends the latest leases over SSE when they change.
(function () {
  const root = document.querySelector('[data-policy-live]');
  if (!root || !window.EventSource) return;
  const source = new EventSource(root.dataset.policyLive);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function when(t) {
    const cell = el('td');
    if (t) {
      const time = el('time', null, t.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC'));
      time.dateTime = t;
      cell.appendChild(time);
    }
    return cell;
  }
  source.onmessage = function (event) {
    const page = JSON.parse(event.data);
    const body = document.getElementById('leases');
    body.replaceChildren();
    if (page.items.length === 0) {
      const tr = el('tr');
      const td = el('td', 'empty', 'No lease yet.');
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    page.items.forEach(function (l) {
      const tr = el('tr');
      tr.appendChild(el('td', 'mono', l.holder));
      tr.appendChild(when(l.grantedAt));
      tr.appendChild(when(l.expiresAt));
      tr.appendChild(when(l.endedAt));
      const outcome = el('td');
      outcome.appendChild(el('span', 'state ' + (l.outcome || 'active'), l.outcome || 'holding'));
      tr.appendChild(outcome);
      tr.appendChild(el('td', null, l.detail || ''));
      body.appendChild(tr);
    });
  };
})();
