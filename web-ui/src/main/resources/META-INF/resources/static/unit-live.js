// A unit's page, live: the server sends the unit's machines by state over SSE when they change;
// the page rebuilds its counts and table in place (text only, never HTML from the server).
(function () {
  const root = document.querySelector('[data-unit-live]');
  if (!root || !window.EventSource) return;
  const source = new EventSource(root.dataset.unitLive);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  source.onmessage = function (event) {
    const s = JSON.parse(event.data);
    if (s.gone) {
      document.getElementById('unit-gone').hidden = false;
      source.close();
      return;
    }
    ['placed', 'active', 'failed'].forEach(function (k) {
      document.querySelectorAll('[data-count="' + k + '"]').forEach(function (c) { c.textContent = s[k]; });
    });
    const target = document.getElementById('unit-target');
    if (target && s.target) { target.textContent = s.target; target.className = 'target ' + s.target; }
    const chips = document.getElementById('by-state');
    chips.replaceChildren();
    if (s.byState.length === 0) chips.appendChild(el('span', 'empty', 'No machine reports this unit yet.'));
    s.byState.forEach(function (c) {
      const chip = el('span', 'chip');
      chip.appendChild(el('span', 'state ' + c.state, c.state));
      chip.appendChild(document.createTextNode(' ' + c.machines));
      chips.appendChild(chip);
    });
    const body = document.getElementById('unit-machines');
    body.replaceChildren();
    s.machines.forEach(function (m) {
      const tr = el('tr');
      tr.dataset.machine = m.machineID;
      const id = el('td');
      const a = el('a', null, (s.hosts && s.hosts[m.machineID]) || 'a removed machine');
      a.href = '/machines/' + encodeURIComponent(m.machineID);
      id.appendChild(a);
      id.appendChild(document.createTextNode(' '));
      id.appendChild(el('small', 'mono', m.machineID.substring(0, 12)));
      tr.appendChild(id);
      tr.appendChild(el('td', null, m.systemdLoadState));
      const active = el('td');
      active.appendChild(el('span', 'state ' + m.systemdActiveState, m.systemdActiveState));
      tr.appendChild(active);
      tr.appendChild(el('td', null, m.systemdSubState));
      body.appendChild(tr);
    });
  };
})();
