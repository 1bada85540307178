// The presenter view (the Lecture page): the keyboard moves between the lecture's steps, and presenter mode
// styles the whole page for a projector. It draws nothing itself.
//
// Components v2 render in the page's own DOM, so the view listens to keydown on the document, in the capture
// phase: before React's handlers, which stop some keys (a teacher who clicked a step in the step bar keeps the
// focus on its radio buttons, which would take the arrows and move the focus instead of the step). → ,
// PageDown and Space go to the next step, ←, PageUp and Shift+Space to the previous one (presentation clickers
// send PageUp/PageDown). Keys typed into an input, a text area, a select, a slider or a menu are left alone,
// and Space on a focused button keeps its native click. A key press that changes the step reports
// move = {to: index, seq: n} (the sequence number makes two presses to the same step two reports): one rerun
// per step change; presses that come while that rerun runs are added up and sent once it is shown. Presenter
// mode adds the class vx-presenting to <body> (explorer.css folds the sidebar away and enlarges type, formulas
// and images); leaving the page removes it.
import { el } from "./core.js";

const NEXT = new Set(["ArrowRight", "PageDown"]);
const PREV = new Set(["ArrowLeft", "PageUp"]);
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [role='slider'], " +
  "[role='combobox'], [role='listbox'], [role='option'], [role='spinbutton'], [role='textbox'], [role='menu']";

const STALE_MS = 4000;
  // a move the page never answered stops holding back the next one

// A student who joined a class: data.follow = {url, step, revealed, every_ms, spread_ms}
// (vae/ui/lecture/classroom_ui.py). The view polls url (vae/ui/class_poll.py: {step, revealed}) every every_ms, with
// no script run on the server, and reports follow = {step, revealed, seq} only when the teacher's step differs from
// the one shown (step null: this student does not follow) or the samples were revealed since this run; then it
// waits for the page to show it (or STALE_MS) before reporting again. A poll that fails is simply tried at the next
// tick. The report waits a random 0..spread_ms first: a whole amphitheatre sees the teacher's step within one poll,
// and its reruns, spread, no longer queue behind each other on the server.
const POLL_FLOOR_MS = 500;
const SPREAD_CEIL_MS = 10000;

export class PresenterView {
  constructor(root) {
    this.root = el("div", { class: "vx vx-presenter", "data-testid": "vx-presenter" }, root);
    this.shown = 0;        // the step the page shows (from Python)
    this.target = 0;       // the step the keys ask for
    this.count = 1;
    this.seq = 0;
    this.pressed = false;  // a key asked for a step since the last move was sent
    this.inflight = null;  // {to, at}: a move sent and not yet shown
    this.onKey = (e) => this.key(e);
    document.addEventListener("keydown", this.onKey, true);
    this.follow = null;    // data.follow of the last update
    this.timer = null;
    this.reported = null;  // {step, revealed, at}: the last change reported, until the page shows it
    this.pending = null;   // the timer of a report waiting its turn (spread_ms)
  }

  watch(follow) {
    const same = this.follow && follow && this.follow.url === follow.url && this.follow.every_ms === follow.every_ms;
    this.follow = follow && typeof follow.url === "string" ? follow : null;
    if (same) return;
    clearInterval(this.timer);
    clearTimeout(this.pending);
    this.timer = null;
    this.pending = null;
    if (this.follow) {
      this.timer = setInterval(() => this.poll(), Math.max(POLL_FLOOR_MS, Number(this.follow.every_ms) || 2000));
    }
  }

  async poll() {
    const f = this.follow;
    if (!f || this.polling) return;
    this.polling = true;
    try {
      const r = await fetch(new URL(f.url, document.baseURI), { cache: "no-store" });
      if (!r.ok) return;
      const now = await r.json();
      if (this.follow !== f) return;  // the page moved on meanwhile
      const moved = f.step !== null && typeof now.step === "string" && now.step !== f.step;
      const revealed = now.revealed === true && !f.revealed;
      if (!moved && !revealed) return;
      const waiting = this.reported && performance.now() - this.reported.at < STALE_MS &&
        this.reported.step === now.step && this.reported.revealed === now.revealed;
      if (waiting || this.pending) return;
      const spread = Math.min(SPREAD_CEIL_MS, Math.max(0, Number(f.spread_ms) || 0));
      this.pending = setTimeout(() => {
        this.pending = null;
        if (this.follow !== f) return;  // the page ran meanwhile: the next poll looks again
        this.seq += 1;
        this.reported = { step: now.step, revealed: now.revealed === true, at: performance.now() };
        if (this.setStateValue) this.setStateValue("follow", { step: now.step, revealed: now.revealed === true, seq: this.seq });
      }, Math.random() * spread);
    } catch (e) {
      // offline for a moment, or a server restarting: the next tick tries again
    } finally {
      this.polling = false;
    }
  }

  update(data) {
    this.watch(data.follow || null);
    this.reported = null;  // a new run of the page: it shows the class as it was then
    this.shown = Number.isInteger(data.step) ? data.step : 0;
    this.count = Number.isInteger(data.count) ? data.count : 1;
    document.body.classList.toggle("vx-presenting", !!data.presenting);
    this.root.setAttribute("data-step", String(this.shown));
    this.root.setAttribute("data-ready", "1");
    if (this.inflight && this.inflight.to === this.shown) this.inflight = null;
    if (!this.inflight) {
      if (this.target !== this.shown && this.pressed) this.send();  // keys pressed while the last move ran
      else this.target = this.shown;  // the step bar, a link or the teacher moved the page
    }
  }

  key(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    const space = e.key === " " || e.code === "Space";
    const delta = NEXT.has(e.key) || (space && !e.shiftKey) ? 1 : PREV.has(e.key) || (space && e.shiftKey) ? -1 : 0;
    if (!delta) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target && (target.closest(TYPING) || (space && target.closest("button, a, summary, [role='button']")))) return;
    e.preventDefault();  // Space and PageDown would also scroll the page; a radio group would move its focus
    this.target = Math.max(0, Math.min(this.count - 1, this.target + delta));
    this.pressed = true;
    if (this.inflight && performance.now() - this.inflight.at < STALE_MS) return;  // sent once the page shows it
    this.send();
  }

  // one move at a time: a key pressed while the page is rerunning for the previous one waits for it, so fast
  // presses (a clicker held down) add up to one more rerun instead of racing each other
  send() {
    this.pressed = false;
    if (this.target === this.shown) {
      this.inflight = null;
      return;
    }
    this.seq += 1;
    this.inflight = { to: this.target, at: performance.now() };
    if (this.setStateValue) this.setStateValue("move", { to: this.target, seq: this.seq });
  }

  destroy() {
    clearInterval(this.timer);
    clearTimeout(this.pending);
    this.follow = null;
    document.removeEventListener("keydown", this.onKey, true);
    document.body.classList.remove("vx-presenting");
  }
}
