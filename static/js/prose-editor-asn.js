// The project's preset for django-prose-editor (see common.richtext.EditorWidget): the
// library's "configurable" preset, with three changes.
// 1. Tiptap injects no <style> element (the Content-Security-Policy allows no inline
//    style); css/editor-base.css serves those styles.
// 2. The toolbar speaks the page's language (the labels come with the widget's config).
// 3. The toolbar is one tab stop (WAI-ARIA toolbar pattern): arrow keys, Home and End move
//    inside it; toggles say whether they are on (aria-pressed); disabled buttons say so.
import * as editorModule from "django-prose-editor/editor"
import { Editor, crel, initializeEditors } from "django-prose-editor/editor"

const marker = "data-django-prose-editor-asn"
const EXTENSIONS = { ...editorModule }
// Buttons that switch something on and off, and how to ask whether it is on.
const TOGGLES = {
  bold: (editor) => editor.isActive("bold"),
  italic: (editor) => editor.isActive("italic"),
  bulletList: (editor) => editor.isActive("bulletList"),
  orderedList: (editor) => editor.isActive("orderedList"),
}

function actuallyEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
}

function translator(labels) {
  return (text) =>
    Object.prototype.hasOwnProperty.call(labels, text) ? labels[text] : text
}

function labelButton(button, t) {
  const english = button.dataset.englishTitle || button.title
  if (!english) return
  button.dataset.englishTitle = english
  const label = t(english)
  button.title = label
  button.setAttribute("aria-label", label)
}

function enhanceToolbar(editor, menubar, labels, textarea) {
  const t = translator(labels)
  menubar.setAttribute("role", "toolbar")
  menubar.setAttribute("aria-label", t("toolbar"))
  // The field's own label (editor-labels.js ties it to the editor too, but perhaps only later).
  const label = textarea.id
    ? document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`)
    : null
  if (label) {
    menubar.setAttribute("aria-label", `${t("toolbar")}: ${label.textContent.trim()}`)
  }

  // The block-type menu: its options and the button showing the current type.
  const dropdown = menubar.querySelector(".prose-menubar__dropdown")
  const selected = dropdown?.querySelector(".prose-menubar__selected")
  const picker = dropdown?.querySelector(".prose-menubar__picker")
  if (picker) {
    for (const option of picker.querySelectorAll(".prose-menubar__option")) {
      const text = option.firstElementChild || option
      text.textContent = t(text.textContent)
      option.tabIndex = -1
    }
    picker.addEventListener("toggle", (event) => {
      const open = event.newState === "open"
      selected.querySelector("button")?.setAttribute("aria-expanded", String(open))
      if (open) {
        visibleOptions()[0]?.focus()
      } else if (picker.contains(document.activeElement)) {
        selected.querySelector("button")?.focus()
      }
    })
    picker.addEventListener("keydown", (event) => {
      const options = visibleOptions()
      const index = options.indexOf(document.activeElement)
      const moves = {
        ArrowDown: index + 1,
        ArrowUp: index - 1,
        Home: 0,
        End: options.length - 1,
      }
      if (event.key in moves) {
        event.preventDefault()
        options[(moves[event.key] + options.length) % options.length]?.focus()
      } else if (event.key === "Tab") {
        picker.hidePopover()
      }
    })
  }
  function visibleOptions() {
    return [...picker.querySelectorAll(".prose-menubar__option:not(.hidden)")]
  }

  let current = null
  const items = () =>
    [
      ...menubar.querySelectorAll(
        ".prose-menubar__selected > button, .prose-menubar__group > button",
      ),
    ].filter((button) => !button.classList.contains("hidden"))
  const usable = (button) => !button.classList.contains("disabled")

  function refresh() {
    for (const button of items()) {
      if (button.parentElement === selected) {
        const style = t(button.dataset.englishTitle || button.title)
        button.dataset.englishTitle = button.dataset.englishTitle || button.title
        button.title = style
        button.setAttribute(
          "aria-label",
          t("block type").replace("%(style)s", style),
        )
        button.setAttribute("aria-expanded", String(picker?.matches(":popover-open") ?? false))
      } else {
        labelButton(button, t)
      }
      if (usable(button)) {
        button.removeAttribute("aria-disabled")
      } else {
        button.setAttribute("aria-disabled", "true")
      }
      const name = button.dataset.name
      if (name in TOGGLES) {
        button.setAttribute("aria-pressed", String(!!TOGGLES[name](editor)))
      }
    }
    const all = items()
    if (!current || !all.includes(current) || !usable(current)) {
      current = all.find(usable) || all[0] || null
    }
    for (const button of all) {
      button.tabIndex = button === current ? 0 : -1
    }
  }

  menubar.addEventListener("focusin", (event) => {
    const button = event.target.closest("button")
    if (button && items().includes(button)) {
      current = button
      refresh()
    }
  })
  menubar.addEventListener("keydown", (event) => {
    if (picker?.contains(event.target)) return
    const all = items()
    const index = all.indexOf(document.activeElement)
    if (index === -1) return
    const moves = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: all.length - 1,
    }
    if (!(event.key in moves)) return
    event.preventDefault()
    const next = all[(moves[event.key] + all.length) % all.length]
    current = next
    refresh()
    next.focus()
  })
  // The library replaces the block-type button when the type changes.
  if (selected) {
    new MutationObserver(refresh).observe(selected, { childList: true })
  }
  editor.on("transaction", refresh)
  refresh()
}

function createTextareaEditor(textarea, extensions, labels) {
  const disabled = textarea.hasAttribute("disabled")
  const element = crel("div", {
    className: `prose-editor ${disabled ? "disabled" : ""}`,
  })
  textarea.before(element)
  element.append(textarea)

  const editor = new Editor({
    element,
    editable: !disabled,
    extensions,
    content: textarea.value,
    injectCSS: false,
    onUpdate({ editor }) {
      textarea.value = actuallyEmpty(editor.getHTML())
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
    onDestroy() {
      element.before(textarea)
      element.remove()
    },
  })
  // Tiptap builds the menu when it emits "create", after this function returns.
  editor.on("create", () => {
    const menubar = editor.storage.menu?.dom
    if (menubar) {
      enhanceToolbar(editor, menubar, labels, textarea)
    }
  })
  return editor
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null
  const config = JSON.parse(textarea.getAttribute(marker) || "{}")
  const extensions = []
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = EXTENSIONS[name]
    if (extension) {
      extensions.push(
        typeof options === "object" ? extension.configure(options) : extension,
      )
    }
  }
  const editor = createTextareaEditor(textarea, extensions, config.labels || {})
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", {
      detail: { editor, textarea },
      bubbles: true,
    }),
  )
  return editor
}

initializeEditors(createEditor, `[${marker}]`)

export { createEditor }
