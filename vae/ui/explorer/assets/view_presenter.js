// The presenter view (the Lecture page): the keyboard moves between the lecture's steps, and presenter mode
// styles the whole page for a projector. It draws nothing itself.
//
// Components v2 render in the page's own DOM, so the view listens to keydown on the document: → , PageDown
// and Space go to the next step, ←, PageUp and Shift+Space to the previous one (presentation clickers send
// PageUp/PageDown). Keys typed into an input, a text area, a select, a slider or a menu are left alone, and
// Space on a focused button keeps its native click. Each key press that changes the step reports
// move = {to: index, seq: n} once (the sequence number makes two presses to the same step two reports):
// one rerun per step change. Presenter mode adds the class vx-presenting to <body> (explorer.css folds the
// sidebar away and enlarges type, formulas and images); leaving the page removes it.
import { el } from "./core.js";

const NEXT = new Set(["ArrowRight", "PageDown"]);
const PREV = new Set(["ArrowLeft", "PageUp"]);
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [role='slider'], " +
  "[role='combobox'], [role='listbox'], [role='option'], [role='spinbutton'], [role='textbox'], [role='menu']";

export class PresenterView {
  constructor(root) {
    this.root = el("div", { class: "vx vx-presenter", "data-testid": "vx-presenter" }, root);
    this.step = 0;
    this.count = 1;
    this.seq = 0;
    this.onKey = (e) => this.key(e);
    document.addEventListener("keydown", this.onKey);
  }

  update(data) {
    this.step = Number.isInteger(data.step) ? data.step : 0;
    this.count = Number.isInteger(data.count) ? data.count : 1;
    document.body.classList.toggle("vx-presenting", !!data.presenting);
    this.root.setAttribute("data-step", String(this.step));
    this.root.setAttribute("data-ready", "1");
  }

  key(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    const space = e.key === " " || e.code === "Space";
    const delta = NEXT.has(e.key) || (space && !e.shiftKey) ? 1 : PREV.has(e.key) || (space && e.shiftKey) ? -1 : 0;
    if (!delta) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target && (target.closest(TYPING) || (space && target.closest("button, a, summary, [role='button']")))) return;
    e.preventDefault();  // Space and PageDown would also scroll the page
    const to = Math.max(0, Math.min(this.count - 1, this.step + delta));
    if (to === this.step) return;
    this.step = to;
    this.seq += 1;
    if (this.setStateValue) this.setStateValue("move", { to, seq: this.seq });
  }

  destroy() {
    document.removeEventListener("keydown", this.onKey);
    document.body.classList.remove("vx-presenting");
  }
}
