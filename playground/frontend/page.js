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

export default function () {
  if (window.__mikirPageAids) return;
  let due = 0;
  const schedule = () => {
    if (!due) due = setTimeout(() => { due = 0; markScrollers(); }, 500);
  };
  window.__mikirPageAids = new MutationObserver(schedule);
  window.__mikirPageAids.observe(document.body, { childList: true, subtree: true });
  schedule();
}
