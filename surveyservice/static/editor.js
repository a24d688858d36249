// The questionnaire editor, improved: the preview's language links say which one is
// shown (and unsaved changes are previewed in it), and a problem's line number takes
// the cursor to that line of the text.
// Everything works without this script.

const languages = document.querySelector("[data-preview-languages]");
languages?.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link) return;
  for (const other of languages.querySelectorAll("a")) other.removeAttribute("aria-current");
  link.setAttribute("aria-current", "true");
  // Unsaved changes are then previewed in the language shown.
  const unsaved = document.querySelector("[data-preview-unsaved]");
  if (unsaved) unsaved.formAction = link.href;
});

const text = document.getElementById("definition");
for (const link of document.querySelectorAll("a[data-line]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const lines = text.value.split("\n");
    const line = Math.min(Number(link.dataset.line), lines.length) - 1;
    const start = lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0);
    text.focus();
    text.setSelectionRange(start, start + lines[line].length);
    // Scroll the line into view: the textarea's own scrolling follows the selection only
    // in some browsers.
    const lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max(0, line * lineHeight - text.clientHeight / 3);
  });
}
