// "Copy to the field": put what the department had approved in the period before into the
// field beside it. A rich-text field is set through its editor (Tiptap keeps itself on its
// element as ``editor``), whose update writes the textarea and fires "input"; a plain field
// gets "input" and "change" itself, so that the unsaved-changes guard knows the form changed.
(function () {
  "use strict";
  function editorOf(textarea) {
    var wrapper = textarea.closest(".prose-editor");
    var editable = wrapper && wrapper.querySelector(".ProseMirror[contenteditable]");
    return editable && editable.editor;
  }
  function fill(source) {
    var target = document.getElementById(source.dataset.copyTo);
    if (!target) {
      return;
    }
    if (source.hasAttribute("data-copy-html")) {
      var editor = editorOf(target);
      if (editor) {
        editor.commands.setContent(source.innerHTML, { emitUpdate: true });
        editor.commands.focus("end");
        return;
      }
      target.value = source.innerHTML.trim();
    } else {
      target.value = source.textContent.trim();
    }
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.querySelectorAll("[data-copy-previous]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var sources = button.closest(".previous").querySelectorAll("[data-copy-to]");
      sources.forEach(fill);
      var first = document.getElementById(sources[0] && sources[0].dataset.copyTo);
      if (first && !sources[0].hasAttribute("data-copy-html")) {
        first.focus();
      }
    });
  });
})();
