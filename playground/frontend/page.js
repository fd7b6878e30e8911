// Keyboard aids for the whole page. A region that scrolls (a fixed-height
// container, a long code block) can be scrolled from the keyboard only when it
// takes focus (WCAG 2.1.1): give each one a tab stop and a name. Checked at
// most twice a second after the page changes, not per animation frame.
const SCROLLERS = 'div[overflow="auto"], div[overflow="scroll"], [data-testid="stCode"] pre';

function markScrollers() {
  for (const node of document.querySelectorAll(SCROLLERS)) {
    if (node.hasAttribute("tabindex") || node.scrollHeight <= node.clientHeight + 1) continue;
    node.tabIndex = 0;
    if (!node.hasAttribute("role")) node.setAttribute("role", "region");
    if (!node.hasAttribute("aria-label")) node.setAttribute("aria-label", "Scrollable section");
  }
}

// The lab's Play and Pause are two buttons (page_lab.PLAY_KEYS): the one pressed is
// disabled and hidden once the runs start or stop, and the keyboard focus went with it
// (to the page's start). It goes to the other one, as if one button changed its name.
const FOCUS_PAIR = ["st-key-lab_play", "st-key-lab_pause"];
const FOCUS_CARRY_MS = 10000;
let focusCarry = null;  // { from: the button pressed, to: its counterpart's class, until }

function notePress(event) {
  const button = event.target.closest?.("button");
  if (!button || document.activeElement !== button) return;
  const pressed = FOCUS_PAIR.findIndex((name) => button.closest(`.${name}`));
  if (pressed < 0) return;
  focusCarry = { from: button, to: FOCUS_PAIR[1 - pressed],
                 until: performance.now() + FOCUS_CARRY_MS };
}

function carryFocus() {
  if (!focusCarry) return;
  const active = document.activeElement;
  const lost = !active || active === document.body || active === focusCarry.from;
  if (!lost || performance.now() > focusCarry.until) {  // moved on elsewhere, or too late
    focusCarry = null;
    return;
  }
  const target = document.querySelector(`.${focusCarry.to} button:enabled`);
  if (!target || !target.checkVisibility()) return;
  focusCarry = null;
  target.focus();
}

export default function () {
  if (window.__mikirPageAids) return;
  let due = 0;
  const schedule = () => {
    carryFocus();
    if (!due) due = setTimeout(() => { due = 0; markScrollers(); }, 500);
  };
  document.addEventListener("click", notePress, true);
  window.__mikirPageAids = new MutationObserver(schedule);
  window.__mikirPageAids.observe(document.body, { childList: true, subtree: true });
  schedule();
}
