/* global document, HTMLSelectElement */
// Rule editor niceties; the form works the same without them.
// 1. Shows only the trigger's own parameter fields (all are shown, labelled "for …", without script).
// 2. Keeps the SMS preview (message text + the appended opt-out line) in step with the text being typed.
(() => {
  const trigger = document.getElementById('triggerType');
  if (trigger instanceof HTMLSelectElement) {
    const fields = [...document.querySelectorAll('[data-for-trigger]')];
    const sync = () => {
      for (const field of fields) field.hidden = field.getAttribute('data-for-trigger') !== trigger.value;
    };
    trigger.addEventListener('change', sync);
    sync();
  }
  for (const source of document.querySelectorAll('textarea[data-sms-source]')) {
    const preview = source.closest('fieldset')?.querySelector('[data-sms-preview]');
    if (!preview) continue;
    source.addEventListener('input', () => {
      preview.textContent = source.value;
    });
  }
})();
