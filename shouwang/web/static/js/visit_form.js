/* The visit form (visits/_visit_form.html) on a poor network.
 *
 * - Submits with fetch: a failed request leaves the page exactly as it is and says so;
 *   the server's refusal (422) brings back the form with its messages, and the files
 *   already chosen are carried over into it unless they were the problem.
 * - Keeps a draft in localStorage per child, restored when the form is opened again,
 *   cleared once the visit is saved.
 * Without script the form posts the ordinary way and the server keeps what was typed.
 */
(function () {
  "use strict";

  var NETWORK_FAILED = "网络连接失败，填写的内容仍在本页，请稍后再提交。";
  var SIGNED_OUT =
    "登录已过期，本次没有保存：填写的内容仍在本页，请在新窗口重新登录后再提交。";
  var SKIPPED = { csrfmiddlewaretoken: true };

  var box = document.getElementById("visit-form-box");
  if (!box) return;
  var statusBox = document.getElementById("visit-status");
  var draftBox = document.getElementById("visit-draft");

  function currentForm() {
    return box.querySelector("form[data-visit-form]");
  }

  function draftKey(form) {
    return "shouwang:visit-draft:" + form.dataset.child;
  }

  function kept(element) {
    return element.name && !SKIPPED[element.name] && element.type !== "file";
  }

  function valuesOf(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element)) return;
      if (element.type === "radio") {
        if (element.checked) values[element.name] = element.value;
      } else if (element.type === "checkbox") {
        values[element.name] = element.checked;
      } else if (element.type !== "submit" && element.type !== "button") {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function fill(form, values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!kept(element) || !(element.name in values)) return;
      var value = values[element.name];
      if (element.type === "radio") element.checked = element.value === value;
      else if (element.type === "checkbox") element.checked = Boolean(value);
      else if (element.type !== "submit" && element.type !== "button") {
        element.value = value;
      }
    });
  }

  function saveDraft() {
    var form = currentForm();
    if (!form) return;
    try {
      localStorage.setItem(draftKey(form), JSON.stringify(valuesOf(form)));
    } catch (error) {
      /* storage full or disabled: the page itself still holds the values */
    }
  }

  function readDraft(form) {
    try {
      return JSON.parse(localStorage.getItem(draftKey(form)) || "null");
    } catch (error) {
      return null;
    }
  }

  function clearDraft(form) {
    try {
      localStorage.removeItem(draftKey(form));
    } catch (error) {
      /* nothing kept */
    }
  }

  function say(message) {
    statusBox.textContent = message;
    statusBox.classList.remove("d-none");
    statusBox.scrollIntoView({ block: "center" });
  }

  function quiet() {
    statusBox.textContent = "";
    statusBox.classList.add("d-none");
  }

  /* Replace the form with the server's, keeping the chosen files when they were not
   * what the server refused. */
  function swap(oldForm, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var newForm = holder.querySelector("form[data-visit-form]");
    if (!newForm) {
      say("提交未成功，填写的内容仍在本页，请稍后再提交。");
      return;
    }
    var oldFiles = oldForm.querySelector("input[type=file]");
    var newFiles = newForm.querySelector("input[type=file]");
    var filesRefused = newFiles && newFiles.classList.contains("is-invalid");
    if (oldFiles && newFiles && !filesRefused && oldFiles.files.length) {
      newFiles.replaceWith(oldFiles);
      var note = newForm.querySelector("[data-reselect]");
      if (note) note.remove();
    }
    oldForm.replaceWith(newForm);
    var errors = newForm.querySelector("[data-testid=form-errors]");
    if (errors) {
      errors.scrollIntoView({ block: "start" });
      errors.focus({ preventScroll: true });
    }
  }

  function submit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-visit-form]")) return;
    if (!window.fetch || !window.FormData) return; // the ordinary post
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    var label = button.textContent;
    button.disabled = true;
    button.textContent = "正在提交……";
    var leaving = false;
    quiet();
    saveDraft();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    })
      .then(
        function (response) {
          var target = response.headers.get("HX-Redirect");
          if (target) {
            clearDraft(form);
            leaving = true; // keep the button disabled: no second visit on a double tap
            window.location.assign(target);
            return;
          }
          if (response.redirected) {
            say(SIGNED_OUT); // only the sign-in page answers with a redirect
            return;
          }
          if (response.status === 422) {
            return response.text().then(function (html) {
              swap(form, html);
            });
          }
          if (response.status === 403) {
            say("您没有记录走访的权限，或登录已过期：填写的内容仍在本页。");
            return;
          }
          say(
            "提交未成功（服务器返回 " +
              response.status +
              "），填写的内容仍在本页，请稍后再提交。",
          );
        },
        function () {
          say(NETWORK_FAILED);
        },
      )
      .then(function () {
        if (leaving) return;
        button.disabled = false;
        button.textContent = label;
      });
  }

  box.addEventListener("submit", submit);
  box.addEventListener("input", saveDraft);
  box.addEventListener("change", saveDraft);

  var form = currentForm();
  if (form && form.dataset.bound === "0") {
    var draft = readDraft(form);
    if (draft) {
      fill(form, draft);
      draftBox.classList.remove("d-none");
    }
  }
  var clear = draftBox.querySelector("[data-draft-clear]");
  clear.addEventListener("click", function () {
    var form = currentForm();
    clearDraft(form);
    window.location.reload();
  });
})();
