// The rich-text editor's words in the page's language. django-prose-editor asks
// window.gettext for its dialogs' words; this classic script runs before the editor's
// modules (they are deferred), and looks the words up when they are asked for, in the
// labels the widget renders into its configuration (common.richtext.editor_labels).
(function () {
  "use strict";
  if (window.gettext) {
    return;
  }
  var labels = null;
  window.gettext = function (text) {
    if (labels === null) {
      var textarea = document.querySelector("[data-django-prose-editor-asn]");
      if (!textarea) {
        return text;
      }
      try {
        labels = JSON.parse(textarea.getAttribute("data-django-prose-editor-asn")).labels || {};
      } catch (error) {
        labels = {};
      }
    }
    return Object.prototype.hasOwnProperty.call(labels, text) ? labels[text] : text;
  };
})();
