/* global document */
// The calibration page's file picker: reads the chosen CSV into the counts field, which the form
// posts as text. Without scripts the picker stays hidden and the counts are pasted instead.
const field = document.getElementById('counts-file-field');
const picker = document.getElementById('counts-file');
const counts = document.getElementById('counts');
const status = document.getElementById('counts-file-status');

if (field && picker && counts && status) {
  field.hidden = false;
  picker.addEventListener('change', () => {
    const file = picker.files && picker.files[0];
    if (!file) return;
    file.text().then(
      (text) => {
        counts.value = text;
        const rows = text.split(/\r?\n/).filter((line) => line.trim() !== '').length;
        status.textContent = `Read ${rows} lines from ${file.name} into the counts field.`;
      },
      () => {
        status.textContent = `${file.name} could not be read.`;
      },
    );
  });
}
