// Move the focus to what the page must say first (the error summary after a refused save),
// so that keyboard and screen reader users start there; its links lead to each field.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector("[data-focus-on-load]");
  if (target) {
    target.focus();
  }
  document.querySelectorAll(".error-summary a[href^='#']").forEach((link) => {
    link.addEventListener("click", (event) => {
      const field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      // A rich-text field is edited in its editor, not in the hidden textarea.
      const editor = field.closest(".field")?.querySelector("[contenteditable='true']");
      (editor || field).focus();
    });
  });
});
