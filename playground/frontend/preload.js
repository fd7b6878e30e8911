// Starts loading plotly.js as the page's first element renders, so the charts
// further down do not wait for it (loadPlotly: plotly_loader.js, prepended).
export default function ({ data }) {
  if (data && data.src) loadPlotly(data.src).catch(() => {});
}
