// Live presence: the server pushes presence changes over SSE; the page updates in place.
(function () {
  const root = document.querySelector('[data-live]');
  if (!root || !window.EventSource) return;
  const source = new EventSource(root.dataset.live);
  source.onmessage = function (event) {
    const change = JSON.parse(event.data);
    const cells = document.querySelectorAll(
      '[data-machine="' + CSS.escape(change.id) + '"] .presence, [data-machine-presence="' + CSS.escape(change.id) + '"]');
    cells.forEach(function (cell) {
      cell.textContent = change.presence;
      cell.className = 'presence ' + change.presence;
    });
    // Said once, politely, to screen readers: the cells above change silently.
    const status = document.getElementById('live-status');
    if (status && cells.length > 0) status.textContent = (change.hostname || change.id) + ' is ' + change.presence + '.';
    document.querySelectorAll('[data-machine="' + CSS.escape(change.id) + '"] .since time').forEach(function (t) {
      t.dateTime = change.at;
      // As the server renders it: 2026-11-29 03:58:58 UTC
      t.textContent = change.at.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
    });
  };
})();
