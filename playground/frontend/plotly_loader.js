// One <script> and one promise per page, shared with live_chart and the preload.
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__mikirPlotly) {
    window.__mikirPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { delete window.__mikirPlotly; script.remove();
                               reject(new Error("The charts could not be loaded.")); };
      document.head.appendChild(script);
    });
  }
  return window.__mikirPlotly;
}
