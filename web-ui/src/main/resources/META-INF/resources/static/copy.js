// Copy buttons for command listings: each <pre data-copy> gets a "Copy" button before it. Without
// JavaScript there is no button and the text is selectable as ever.
(function () {
  document.querySelectorAll('pre[data-copy]').forEach(function (pre) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary copy';
    button.textContent = 'Copy';
    const title = pre.getAttribute('aria-labelledby');
    const named = title && document.getElementById(title);
    if (named) button.setAttribute('aria-label', 'Copy: ' + named.textContent);
    const status = document.createElement('span');
    status.className = 'hint';
    status.setAttribute('role', 'status');
    button.addEventListener('click', function () {
      const text = pre.textContent;
      const done = function () { status.textContent = ' Copied.'; };
      const select = function () {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.textContent = ' Selected: press Ctrl+C to copy.';
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, select);
      } else {
        select();
      }
    });
    pre.parentNode.insertBefore(button, pre);
    pre.parentNode.insertBefore(status, pre);
  });
})();
