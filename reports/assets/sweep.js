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

  // Value-axis labels: a k/M/G prefix from the largest split, and as many decimals as the step
  // between splits needs, so that neighbouring labels differ ("0.9994, 0.9996", not "1, 1").
  function yLabels(splits) {
    var max = 0;
    splits.forEach(function (v) { max = Math.max(max, Math.abs(v)); });
    var scale = 1, suffix = "";
    [[1e9, " G"], [1e6, " M"], [1e3, " k"]].some(function (p) {
      if (max >= 10 * p[0]) { scale = p[0]; suffix = p[1]; return true; }
      return false;
    });
    var step = Infinity;
    for (var i = 1; i < splits.length; i++) step = Math.min(step, Math.abs(splits[i] - splits[i - 1]));
    var decimals = isFinite(step) && step > 0 ? Math.max(0, Math.ceil(-Math.log10(step / scale) - 1e-9)) : 0;
    decimals = Math.min(decimals, 12);
    return splits.map(function (v) { return v == null ? "" : (v / scale).toFixed(decimals) + suffix; });
  }

  // The value axis is as wide as its longest label (uPlot's default is a fixed 50 px).
  var measure = document.createElement("canvas").getContext("2d");
  var axisFont = "12px system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, \"Noto Sans\", sans-serif";
  function labelWidth(labels) {
    measure.font = axisFont;
    var w = 0;
    (labels || []).forEach(function (l) { w = Math.max(w, measure.measureText(l).width); });
    return Math.ceil(w);
  }

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
    // What the value axis last showed, read by the render status after uPlot has drawn.
    var shown = { labels: [], label_width: 0, size: 0 };
    var plot = new uPlot({
      title: name + " against " + axis.path,
      width: Math.max(600, holder.clientWidth - 20), height: 280,
      scales: { x: { time: false, range: [-0.5, n - 0.5] } },
      series: series, bands: bands,
      axes: [{ splits: function () { return x; }, values: function (u, splits) {
        return splits.map(function (i) { return axis.values[i] === undefined ? "" : axis.values[i]; });
      } }, {
        font: axisFont,
        values: function (u, splits) {
          shown.labels = yLabels(splits);
          shown.label_width = labelWidth(shown.labels);
          return shown.labels;
        },
        // Ticks (10 px) and gap (5 px) besides the text, and a margin.
        size: function (u, values) { return (shown.size = Math.max(50, labelWidth(values) + 24)); }
      }]
    }, columns, div);
    plots.push({ id: name + "@" + axis.path, plot: plot, points: drawn, y_axis: shown });
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
