export default function ({ data }) {
  if (!data || typeof data.query !== "string") return;
  const wanted = data.query ? "?" + data.query : "";
  if (window.location.search !== wanted) {
    const url = window.location.pathname + wanted + window.location.hash;
    window.history.replaceState(window.history.state, "", url);
  }
  window.__urlSyncWrites = (window.__urlSyncWrites || 0) + 1;
}
