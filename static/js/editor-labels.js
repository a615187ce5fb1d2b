// Give each rich-text editor the name of its field's label, so that screen readers
// announce it (the label itself points at the hidden textarea the editor replaces),
// and let a click on the label put the cursor in the editor.
(function () {
  "use strict";
  function labelEditors() {
    document.querySelectorAll(".prose-editor").forEach(function (wrapper) {
      var textarea = wrapper.querySelector("textarea");
      // The block-type menu holds a div.ProseMirror too (for its styling); the editor is editable.
      var editable = wrapper.querySelector(".ProseMirror[contenteditable]");
      if (!textarea || !editable || editable.hasAttribute("aria-labelledby")) {
        return;
      }
      var label = document.querySelector('label[for="' + textarea.id + '"]');
      if (!label) {
        return;
      }
      label.id = label.id || textarea.id + "-label";
      editable.setAttribute("role", "textbox");
      editable.setAttribute("aria-multiline", "true");
      editable.setAttribute("aria-labelledby", label.id);
      // Django ties a field's error to the textarea; the editor is what people reach.
      ["aria-describedby", "aria-invalid"].forEach(function (name) {
        if (textarea.hasAttribute(name)) {
          editable.setAttribute(name, textarea.getAttribute(name));
        }
      });
      label.addEventListener("click", function (event) {
        event.preventDefault();
        editable.focus();
      });
    });
  }
  new MutationObserver(labelEditors).observe(document.body, { childList: true, subtree: true });
  labelEditors();
})();
