// Data sets as small pictures of their points; a click (or Enter) chooses one.
const COLORS = ["#f59322", "#0877bd", "#2ca02c", "#8e44ad", "#d62728", "#17becf"];
const SIZE = 44;

function shade(value) {  // a regression target on the orange-grey-blue scale
  const t = Math.max(-1, Math.min(1, value)), end = t < 0 ? [245, 147, 34] : [8, 119, 189];
  const mix = [232, 234, 235].map((c, i) => Math.round(c + (end[i] - c) * Math.abs(t)));
  return `rgb(${mix.join(",")})`;
}

function draw(canvas, set) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = SIZE * ratio;
  canvas.height = SIZE * ratio;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.fillStyle = "#f6f8fa";
  context.fillRect(0, 0, SIZE, SIZE);
  for (const [x, y, value] of set.points) {
    context.fillStyle = set.regression ? shade(value) : COLORS[Math.round(value) % COLORS.length];
    context.beginPath();
    context.arc((x + 1) / 2 * SIZE, (1 - y) / 2 * SIZE, 1.6, 0, 2 * Math.PI);
    context.fill();
  }
}

export default function ({ data, parentElement, setTriggerValue }) {
  let root = parentElement.querySelector(":scope > .dataset-picker");
  if (!root) {
    root = document.createElement("div");
    root.className = "dataset-picker";
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Data sets");
    parentElement.appendChild(root);
  }
  const names = data.sets.map((s) => s.name).join(",");
  if (root.dataset.names !== names) {
    root.dataset.names = names;
    root.replaceChildren(...data.sets.map((set) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dataset-picker-item";
      button.dataset.name = set.name;
      button.title = set.label;
      button.setAttribute("aria-label", set.label);
      const canvas = document.createElement("canvas");
      canvas.style.width = canvas.style.height = `${SIZE}px`;
      draw(canvas, set);
      button.appendChild(canvas);
      return button;
    }));
  }
  for (const button of root.children) {
    const chosen = button.dataset.name === data.chosen;
    button.setAttribute("aria-pressed", String(chosen));
    button.onclick = () => setTriggerValue("chosen", { name: button.dataset.name });
  }
}
