/* Page behaviour declared in data attributes, since the Content-Security-Policy allows
   no inline script or event handler:
   - <form data-confirm="…">: ask before submitting;
   - <form data-busy="…">: once submitted, its submit buttons are disabled and say so
     (a long check: no second, duplicate submission while the first one runs);
   - <select data-autosubmit>: submit its form when the choice changes;
   - <input type="checkbox" data-check-all="name">: tick or untick every box of that name. */
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.busy || event.defaultPrevented) {
    return;
  }
  // After this turn: the form's data is gathered with its buttons still enabled.
  window.setTimeout(function () {
    form.querySelectorAll('button[type="submit"], button:not([type])').forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.dataset.label = button.textContent;
      const spinner = document.createElement("span");
      spinner.className = "spinner-border spinner-border-sm me-1";
      spinner.setAttribute("aria-hidden", "true");
      button.replaceChildren(spinner, document.createTextNode(form.dataset.busy));
    });
  }, 0);
});
// Back to a page kept in the browser's cache: its buttons work again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) {
    return;
  }
  document.querySelectorAll('button[aria-busy="true"]').forEach(function (button) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = button.dataset.label;
  });
});
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
