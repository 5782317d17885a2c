/* Page behaviour declared in data attributes, since the Content-Security-Policy allows
   no inline script or event handler:
   - <form data-confirm="…">: ask before submitting;
   - <select data-autosubmit>: submit its form when the choice changes;
   - <input type="checkbox" data-check-all="name">: tick or untick every box of that name. */
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
document.addEventListener("change", function (event) {
  const element = event.target;
  if (element instanceof HTMLSelectElement && element.hasAttribute("data-autosubmit") && element.form) {
    element.form.requestSubmit ? element.form.requestSubmit() : element.form.submit();
  }
  if (element instanceof HTMLInputElement && element.dataset.checkAll) {
    document.querySelectorAll('input[name="' + element.dataset.checkAll + '"]').forEach(function (box) {
      box.checked = element.checked;
    });
  }
});
