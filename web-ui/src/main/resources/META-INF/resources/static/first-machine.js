// "Add machines" of an empty organization: says in its live region when the first machine comes
// online (presence changes over SSE, as live.js reads them), with a link to it.
(function () {
  const region = document.querySelector('[data-first-machine]');
  if (!region || !window.EventSource) return;
  const source = new EventSource(region.dataset.firstMachine);
  source.onmessage = function (event) {
    const change = JSON.parse(event.data);
    if (change.presence !== 'online') return;
    source.close();
    const link = document.createElement('a');
    link.href = '/machines/' + encodeURIComponent(change.id);
    link.textContent = change.hostname;
    region.textContent = '';
    region.append(link, ' is online.');
  };
})();
