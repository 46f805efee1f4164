// The update policy form, improved: each window shows only the fields of its kind (weekly or
// cron). Without this script every field shows and the server ignores the other kind's.
(function () {
  function apply(win) {
    const kind = win.querySelector('[data-kind]');
    if (!kind) return;
    const cron = kind.value === 'cron';
    win.querySelectorAll('[data-weekly]').forEach(function (e) { e.hidden = cron; });
    win.querySelectorAll('[data-cron]').forEach(function (e) { e.hidden = !cron; });
  }
  document.querySelectorAll('[data-window]').forEach(function (win) {
    apply(win);
    win.querySelector('[data-kind]').addEventListener('change', function () { apply(win); });
  });
})();
