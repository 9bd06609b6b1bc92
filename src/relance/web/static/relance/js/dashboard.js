/* Dashboard charts: data comes from json_script blocks, never from inline code (CSP-friendly). */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1d2330";
  if (reduce) { Chart.defaults.animation = false; }
  var euro = function (v) { return new Intl.NumberFormat(document.documentElement.lang || "fr", { style: "currency", currency: "EUR", maximumFractionDigits: 0 }).format(v); };
  var money = { y: { beginAtZero: true, ticks: { callback: euro } } };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }
  draw("chart-aging", {
    type: "bar",
    data: { labels: data.aging.labels, datasets: [{ label: data.aging.label, data: data.aging.values,
      backgroundColor: ["#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#6a1b1a"] }] },
    options: { plugins: { legend: { display: false } }, scales: money, maintainAspectRatio: false }
  });
  draw("chart-flows", {
    type: "bar",
    data: { labels: data.flows.labels, datasets: [
      { label: data.flows.invoiced_label, data: data.flows.invoiced, backgroundColor: "#9fb4ea" },
      { label: data.flows.collected_label, data: data.flows.collected, backgroundColor: "#1f4fd1" }] },
    options: { scales: money, maintainAspectRatio: false }
  });
  draw("chart-dso", {
    type: "line",
    data: { labels: data.dso.labels, datasets: [{ label: data.dso.label, data: data.dso.values,
      borderColor: "#1f4fd1", backgroundColor: "#1f4fd1", tension: 0.2, spanGaps: true }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } }, maintainAspectRatio: false }
  });
})();
