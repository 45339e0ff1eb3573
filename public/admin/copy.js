/* global document, navigator, window */
// Adds a "Copy" button to every <pre data-copy>. Without this script the
// blocks still work: one click selects a whole block (CSS user-select: all).
{
  const selectAll = (pre) => {
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copy = async (pre) => {
    try {
      await navigator.clipboard.writeText(pre.textContent);
      return 'Copied';
    } catch {
      // No clipboard access (plain http, or permission refused): select it for Ctrl+C.
      selectAll(pre);
      return document.execCommand('copy') ? 'Copied' : 'Selected: press Ctrl+C';
    }
  };

  for (const pre of document.querySelectorAll('pre[data-copy]')) {
    const head = pre.previousElementSibling;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sd-copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', `Copy ${pre.dataset.copy}`);
    const status = document.createElement('span');
    status.className = 'sd-copied';
    status.setAttribute('role', 'status');
    button.addEventListener('click', async () => {
      status.textContent = await copy(pre);
      window.setTimeout(() => {
        status.textContent = '';
      }, 3000);
    });
    if (head && head.classList.contains('sd-block-head')) head.append(status, button);
    else pre.before(button, status);
  }
}
