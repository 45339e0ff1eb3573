/* global document, window, URLSearchParams, FormData */
// Portal settings page: keeps the preview iframe in step with the form as the owner types
// (debounced), and pairs each colour text field with a colour picker. Without this script
// the "Update preview" button posts the draft into the iframe instead.
(() => {
  const form = document.querySelector('[data-preview-form]');
  const frame = document.querySelector('[data-preview-frame]');
  if (!form || !frame) return;
  const base = form.getAttribute('action') + '/preview';
  // Mirrors the server's MAX_QUERY: long terms texts then come from the saved settings.
  const MAX_QUERY = 6000;
  const DELAY_MS = 300;
  const HEX = /^#[0-9a-fA-F]{6}$/;

  const query = (skipTerms) => {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (name === '_csrf' || typeof value !== 'string') continue;
      if (skipTerms && name.endsWith('-terms')) continue;
      params.append(name, value);
    }
    // An unticked checkbox sends nothing; the preview would otherwise fall back to the saved value.
    if (!params.has('loyaltyForm')) params.set('loyaltyForm', '');
    return params.toString();
  };

  let timer;
  const refresh = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const full = query(false);
      frame.src = base + '?' + (full.length <= MAX_QUERY ? full : query(true));
    }, DELAY_MS);
  };

  for (const picker of document.querySelectorAll('input[type=color][data-colour-for]')) {
    const text = document.getElementById(picker.getAttribute('data-colour-for'));
    if (!text) continue;
    picker.hidden = false;
    if (HEX.test(text.value)) picker.value = text.value.toLowerCase();
    picker.addEventListener('input', () => {
      text.value = picker.value;
      refresh();
    });
    text.addEventListener('input', () => {
      if (HEX.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
    });
  }

  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  // The page and language pickers sit beside the iframe, outside the form element (form="..." ties them to it).
  for (const select of document.querySelectorAll('select[form="' + form.id + '"]')) select.addEventListener('change', refresh);
  const button = document.querySelector('[data-preview-button]');
  if (button) button.hidden = true;
})();
