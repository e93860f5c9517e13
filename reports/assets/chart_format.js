// Number and duration texts for the charts of report.html and compare.html (axes, legends,
// decision marks), shared so that both pages write a value the same way.
window.fleetsimFormat = (function () {
  "use strict";
  function durationText(s) {
    if (s < 120) return Math.round(s) + " s";
    if (s < 7200) return Math.round(s / 60) + " min";
    if (s < 172800) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " d";
  }
  function number(v) {
    if (v == null) return "—";
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + " G";
    if (a >= 1e6) return (v / 1e6).toFixed(2) + " M";
    if (a >= 1e4) return (v / 1e3).toFixed(1) + " k";
    return String(Math.round(v * 100) / 100);
  }
  return { durationText: durationText, number: number };
})();
