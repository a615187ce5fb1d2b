// Warn before leaving a form with changes that are not saved yet.
// Forms opt in with data-warn-unsaved; "dirty" marks a form shown again with input that
// was not saved (errors, conflicts). Submitting the form clears the warning.
(function () {
  "use strict";
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var dirty = form.dataset.warnUnsaved === "dirty";
    var mark = function () { dirty = true; };
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
