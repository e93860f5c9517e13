// fleetsim sweep.html: for every varied parameter and every numeric key result, a uPlot chart of
// the result against the parameter's values — one line per combination of the other parameters,
// the median across seeds, with the min–max range as a band. Afterwards it writes what it drew
// into #render-status (points per chart, coloured pixels in each plot area, script errors) so a
// headless browser can check the page.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var data = JSON.parse(document.getElementById("sweep-data").textContent);
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
  var plots = [];

  function fade(hex) { return hex + "33"; }

  // Points grouped by the values of every axis but `a`, in plan order.
  function groupsWithout(a) {
    var groups = [], byKey = {};
    data.points.forEach(function (p) {
      var rest = p.values.filter(function (v, i) { return i !== a; });
      var key = JSON.stringify(rest);
      if (!(key in byKey)) { byKey[key] = groups.length; groups.push({ label: rest, points: [] }); }
      groups[byKey[key]].points.push(p);
    });
    return groups;
  }

  function chart(a, name, holder) {
    var axis = data.axes[a], n = axis.values.length;
    var x = axis.values.map(function (v, i) { return i; });
    var series = [{}], columns = [x], bands = [], drawn = 0;
    groupsWithout(a).forEach(function (g, gi) {
      var colour = palette[gi % palette.length];
      var med = [], lo = [], hi = [];
      for (var i = 0; i < n; i++) { med.push(null); lo.push(null); hi.push(null); }
      g.points.forEach(function (p) {
        var s = p.stats[name];
        if (!s) return;
        var i = axis.values.indexOf(p.values[a]);
        lo[i] = s[0]; med[i] = s[1]; hi[i] = s[2];
        drawn++;
      });
      var others = data.axes.filter(function (ax, i) { return i !== a; }).map(function (ax, i) {
        return ax.path + "=" + g.label[i];
      }).join(", ");
      var base = columns.length;
      series.push({ label: (others || "median") + " (max)", stroke: fade(colour), width: 1 });
      series.push({ label: (others || "median") + " (min)", stroke: fade(colour), width: 1 });
      series.push({ label: others ? others + " (median)" : "median", stroke: colour, width: 2, points: { size: 7 } });
      columns.push(hi, lo, med);
      bands.push({ series: [base, base + 1], fill: fade(colour) });
    });
    if (!drawn) return;
    var div = document.createElement("div");
    div.className = "chart";
    holder.appendChild(div);
    var plot = new uPlot({
      title: name + " against " + axis.path,
      width: Math.max(600, holder.clientWidth - 20), height: 280,
      scales: { x: { time: false, range: [-0.5, n - 0.5] } },
      series: series, bands: bands,
      axes: [{ splits: function () { return x; }, values: function (u, splits) {
        return splits.map(function (i) { return axis.values[i] === undefined ? "" : axis.values[i]; });
      } }, { size: 80 }]
    }, columns, div);
    plots.push({ id: name + "@" + axis.path, plot: plot, points: drawn });
  }

  try {
    var holder = document.getElementById("charts");
    data.axes.forEach(function (axis, a) {
      data.results.forEach(function (name) { chart(a, name, holder); });
    });
  } catch (e) {
    errors.push(String(e && e.message || e));
    console.error(e);
  }
  setTimeout(function () { window.fleetsimRenderStatus(plots, errors); }, 0);
})();
