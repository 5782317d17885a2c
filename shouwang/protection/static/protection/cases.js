/* The action form of a case page (protection/case_detail.html): show only the fields
   the chosen kind carries (services.ACTION_FIELDS), each with its label for that kind.
   A field's wrapper lists its kinds in data-kinds and its labels in data-kind-labels
   (JSON). Without this script every field shows, and the server takes only the
   chosen kind's fields. */
(function () {
  "use strict";

  function update(select) {
    const form = select.form;
    if (!form) return;
    const kind = select.value;
    form.querySelectorAll("[data-kinds]").forEach(function (box) {
      const shown = kind !== "" && box.dataset.kinds.split(" ").indexOf(kind) >= 0;
      box.hidden = !shown;
      if (!shown) return;
      let labels = {};
      try {
        labels = JSON.parse(box.dataset.kindLabels || "{}");
      } catch (error) {
        labels = {};
      }
      const text = box.querySelector("[data-label-text]");
      if (text && labels[kind]) text.textContent = labels[kind];
    });
  }

  document.addEventListener("change", function (event) {
    const element = event.target;
    if (element instanceof HTMLSelectElement && element.hasAttribute("data-action-kind")) {
      update(element);
    }
  });

  function start() {
    document.querySelectorAll("select[data-action-kind]").forEach(update);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
