// A policy's leases and machines, live: the server sends both over SSE when they change.
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
  function empty(body, columns, text) {
    const tr = el('tr');
    const td = el('td', 'empty', text);
    td.colSpan = columns;
    tr.appendChild(td);
    body.appendChild(tr);
  }
  function badge(state, text) {
    const td = el('td');
    td.appendChild(el('span', 'state ' + state, text));
    return td;
  }
  source.onmessage = function (event) {
    const s = JSON.parse(event.data);
    root.dataset.updated = new Date().toISOString();
    const leases = document.getElementById('leases');
    leases.replaceChildren();
    if (s.leases.items.length === 0) empty(leases, 6, 'No lease yet.');
    s.leases.items.forEach(function (l) {
      const tr = el('tr');
      tr.appendChild(el('td', 'mono', l.holder));
      tr.appendChild(when(l.grantedAt));
      tr.appendChild(when(l.expiresAt));
      tr.appendChild(when(l.endedAt));
      tr.appendChild(badge(l.outcome || 'active', l.outcome || 'holding'));
      tr.appendChild(el('td', null, l.detail || ''));
      leases.appendChild(tr);
    });
    const machines = document.getElementById('machines');
    if (!machines) return;
    machines.replaceChildren();
    if (s.machines.items.length === 0) empty(machines, 5, 'No machine follows this policy.');
    s.machines.items.forEach(function (m) {
      const tr = el('tr');
      const id = el('td', 'mono');
      const a = el('a', null, m.machineId);
      a.href = '/machines/' + encodeURIComponent(m.machineId);
      id.appendChild(a);
      tr.appendChild(id);
      tr.appendChild(badge(m.progress, m.progress.replace('_', ' ')));
      let pending = m.pending == null ? '' : String(m.pending);
      if (m.security) pending += ' (' + m.security + ' security)';
      tr.appendChild(el('td', null, pending));
      const why = el('td');
      if (m.progress === 'failed') why.appendChild(el('code', null, m.detail || ''));
      else why.textContent = m.reason;
      tr.appendChild(why);
      tr.appendChild(when(m.reportedAt));
      machines.appendChild(tr);
    });
  };
})();
