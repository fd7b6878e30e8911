// One plotly.js per page, shared by the live view and live_chart: the <script>
// page_head.py put in the HTML head if it is there (waited for, not loaded twice),
// else one added here.
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__mikirPlotly) {
    window.__mikirPlotly = new Promise((resolve, reject) => {
      const fail = (script) => {
        delete window.__mikirPlotly;
        script.remove();
        reject(new Error("The charts could not be loaded."));
      };
      const head = document.querySelector("script[data-mikir-plotly]");
      if (head && !head.dataset.failed) {  // still loading (window.Plotly is not set yet)
        head.addEventListener("load", () => resolve(window.Plotly));
        head.addEventListener("error", () => { fail(head); loadPlotly(src).then(resolve, reject); });
        return;
      }
      head?.remove();
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => fail(script);
      document.head.appendChild(script);
    });
  }
  return window.__mikirPlotly;
}
