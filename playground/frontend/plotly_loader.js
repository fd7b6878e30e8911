// One plotly.js per page, shared by the live view and live_chart. The file served
// defines window.__mikirPlotlyInit (stream.py: compiled as it arrives, started when
// a chart first needs it); the <script> page_head.py put in the HTML head is waited
// for if it is still loading (not loaded twice), else one is added here.
function startPlotly() {
  const Plotly = window.Plotly || window.__mikirPlotlyInit?.();
  if (!Plotly) throw new Error("The charts could not be loaded.");
  return Plotly;
}

function loadPlotly(src) {
  if (window.Plotly || window.__mikirPlotlyInit) {
    return new Promise((resolve) => resolve(startPlotly()));
  }
  if (!window.__mikirPlotly) {
    window.__mikirPlotly = new Promise((resolve, reject) => {
      const fail = (script) => {
        delete window.__mikirPlotly;
        script.remove();
        reject(new Error("The charts could not be loaded."));
      };
      const loaded = (script) => {
        try { resolve(startPlotly()); } catch { fail(script); }
      };
      const head = document.querySelector("script[data-mikir-plotly]");
      if (head && !head.dataset.failed) {  // still loading
        head.addEventListener("load", () => loaded(head));
        head.addEventListener("error", () => { fail(head); loadPlotly(src).then(resolve, reject); });
        return;
      }
      head?.remove();
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => loaded(script);
      script.onerror = () => fail(script);
      document.head.appendChild(script);
    });
  }
  return window.__mikirPlotly;
}
