// The overview's counts, live: the server sends them over SSE when they change.
(function () {
  const root = document.querySelector('[data-overview-live]');
  if (!root || !window.EventSource) return;
  const source = new EventSource(root.dataset.overviewLive);
  source.onmessage = function (event) {
    const counts = JSON.parse(event.data);
    Object.keys(counts).forEach(function (key) {
      document.querySelectorAll('[data-count="' + CSS.escape(key) + '"]').forEach(function (el) {
        el.textContent = String(counts[key]);
      });
    });
  };
})();
