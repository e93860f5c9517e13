// fleetsim sweep.html: for every varied parameter and every picked number metric, a uPlot chart of
// the metric against the parameter — one line per combination of the other parameters, the median
// across seeds with the min–max range as a band, and a marker per point in the point's verdict
// (data.points[i].verdict): green when every seed's run passed, red when an assertion or gate
// failed in one, grey when none failed but a run ended without results. A numeric parameter
// (data.axes[a].numeric) is placed to scale in its unit, logarithmically when it spans a factor of
// 20; other values are spaced evenly.
// Afterwards it writes what it drew into #render-status (points and markers per chart, where the
// x values landed, coloured pixels in each plot area, script errors) so a headless browser can
// check the page.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var data = JSON.parse(document.getElementById("sweep-data").textContent);
  // Line colours; green, red and grey are the verdict markers' own.
  var palette = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  var MARKER = { pass: "#1a7f37", fail: "#cf222e", error: "#8c959f" };
  var plots = [];

  function fade(hex) { return hex + "33"; }

  // Value-axis labels: a k/M/G prefix from the largest split, and as many decimals as the step
  // between splits needs, so that neighbouring labels differ ("0.9994, 0.9996", not "1, 1"). The
  // unit is in the chart's title.
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
  // Parameter-axis labels, each with its own prefix and unit ("500 Mbit/s", "2 Gbit/s"; no prefix
  // for times and percentages): up to four significant digits, enough for ticks at round numbers.
  function quantityLabels(splits, unit) {
    var prefixes = ["h", "min", "s", "%"].indexOf(unit) < 0 ? [[1e9, "G"], [1e6, "M"], [1e3, "k"]] : [];
    return splits.map(function (v) {
      if (v == null) return "";
      var scale = 1, prefix = "";
      prefixes.some(function (p) {
        if (Math.abs(v) >= p[0]) { scale = p[0]; prefix = p[1]; return true; }
        return false;
      });
      var text = String(parseFloat((v / scale).toPrecision(4)));
      return prefix || unit ? text + " " + prefix + (unit || "") : text;
    });
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

  // The x positions of an axis's values: its numbers, ascending and distinct, or 0 … n-1.
  function xPositions(axis) {
    if (!axis.numeric) {
      return { xs: axis.values.map(function (v, i) { return i; }),
               of: function (value) { return axis.values.indexOf(value); } };
    }
    var nums = axis.numeric.numbers, xs = [];
    nums.forEach(function (n) { if (xs.indexOf(n) < 0) xs.push(n); });
    xs.sort(function (p, q) { return p - q; });
    return { xs: xs, of: function (value) { return xs.indexOf(nums[axis.values.indexOf(value)]); } };
  }

  function xRange(axis, xs) {
    if (!axis.numeric) return [-0.5, xs.length - 0.5];
    var lo = xs[0], hi = xs[xs.length - 1];
    if (axis.numeric.log) return [lo / 1.5, hi * 1.5];
    var pad = hi > lo ? (hi - lo) * 0.06 : Math.max(Math.abs(lo) * 0.1, 1);
    return [lo - pad, hi + pad];
  }

  function chart(a, spec, holder) {
    var axis = data.axes[a], name = spec.column, pos = xPositions(axis), n = pos.xs.length;
    var series = [{}], columns = [pos.xs], bands = [], verdicts = [], drawn = 0;
    groupsWithout(a).forEach(function (g, gi) {
      var colour = palette[gi % palette.length];
      var med = [], lo = [], hi = [], verdict = [];
      for (var i = 0; i < n; i++) { med.push(null); lo.push(null); hi.push(null); verdict.push(null); }
      g.points.forEach(function (p) {
        var s = p.stats[name];
        if (!s) return;
        var i = pos.of(p.values[a]);
        lo[i] = s[0]; med[i] = s[1]; hi[i] = s[2];
        verdict[i] = p.verdict;
        drawn++;
      });
      var others = data.axes.filter(function (ax, i) { return i !== a; }).map(function (ax, i) {
        return ax.path + "=" + g.label[i];
      }).join(", ");
      var base = columns.length;
      series.push({ label: (others || "median") + " (max)", stroke: fade(colour), width: 1, points: { show: false } });
      series.push({ label: (others || "median") + " (min)", stroke: fade(colour), width: 1, points: { show: false } });
      series.push({ label: others ? others + " (median)" : "median", stroke: colour, width: 2, points: { show: false } });
      columns.push(hi, lo, med);
      bands.push({ series: [base, base + 1], fill: fade(colour) });
      verdicts.push({ series: base + 2, verdict: verdict });
    });
    if (!drawn) return;
    var div = document.createElement("div");
    div.className = "chart";
    holder.appendChild(div);
    var xUnit = axis.numeric && axis.numeric.unit ? " (" + axis.numeric.unit + ")" : "";
    // What the axes and markers last showed, read by the render status after uPlot has drawn.
    var shown = { labels: [], label_width: 0, size: 0 };
    var xShown = { numeric: !!axis.numeric, unit: axis.numeric ? axis.numeric.unit : "", log: !!(axis.numeric && axis.numeric.log),
                   positions: [], labels: [] };
    var markers = { pass: 0, fail: 0, error: 0 };
    // Markers on top of the lines, in the verdict's colour.
    function drawMarkers(u) {
      var ctx = u.ctx, r = 5 * devicePixelRatio;
      markers.pass = 0; markers.fail = 0; markers.error = 0;
      ctx.save();
      verdicts.forEach(function (v) {
        var ys = u.data[v.series];
        for (var i = 0; i < n; i++) {
          if (ys[i] == null) continue;
          var cx = u.valToPos(pos.xs[i], "x", true), cy = u.valToPos(ys[i], "y", true);
          ctx.beginPath();
          ctx.arc(cx, cy, r, 0, 2 * Math.PI);
          ctx.fillStyle = MARKER[v.verdict[i]];
          ctx.fill();
          ctx.lineWidth = devicePixelRatio;
          ctx.strokeStyle = "#fff";
          ctx.stroke();
          markers[v.verdict[i]]++;
        }
      });
      ctx.restore();
      xShown.positions = pos.xs.map(function (x) { return { value: x, px: u.valToPos(x, "x") }; });
    }
    var xAxis = axis.numeric ? {
      label: axis.path + xUnit,
      // Room for the widest label between ticks ("1500 Mbit/s" needs more than uPlot's 50 px).
      space: function (u, ai, min, max) { return labelWidth(quantityLabels([min, max], axis.numeric.unit)) + 24; },
      values: function (u, splits) { return (xShown.labels = quantityLabels(splits, axis.numeric.unit)); }
    } : {
      label: axis.path,
      splits: function () { return pos.xs; },
      values: function (u, splits) {
        return (xShown.labels = splits.map(function (i) { return axis.values[i] === undefined ? "" : axis.values[i]; }));
      }
    };
    if (axis.numeric && axis.numeric.log) {
      // Ticks at 1, 2 and 5 × 10^k (uPlot's own log ticks start at the range's low end, which is
      // not a power of ten, and its filter drops them).
      xAxis.splits = function (u, ai, min, max) {
        var out = [];
        for (var k = Math.floor(Math.log10(min)); Math.pow(10, k) <= max; k++)
          [1, 2, 5].forEach(function (m) {
            var v = m * Math.pow(10, k);
            if (v >= min && v <= max) out.push(v);
          });
        return out;
      };
      xAxis.filter = function (u, splits) { return splits; };
    }
    var xScale = { time: false, range: xRange(axis, pos.xs) };
    if (axis.numeric && axis.numeric.log) { xScale.distr = 3; xScale.log = 10; }
    var plot = new uPlot({
      title: spec.title + " against " + axis.path + xUnit,
      width: Math.max(600, holder.clientWidth - 20), height: 300,
      scales: { x: xScale },
      series: series, bands: bands,
      hooks: { draw: [drawMarkers] },
      legend: { live: false },
      axes: [xAxis, {
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
    // The legend names the lines (the medians); their min and max series only carry the band.
    var rows = div.querySelectorAll(".u-legend .u-series");
    for (var r = 0; r < rows.length; r++)
      if (/ \((max|min)\)$/.test(rows[r].textContent.trim())) rows[r].style.display = "none";
    plots.push({ id: name + "@" + axis.path, plot: plot, points: drawn, y_axis: shown, x_axis: xShown,
                 markers: markers });
  }

  try {
    var holder = document.getElementById("charts");
    data.axes.forEach(function (axis, a) {
      data.charts.forEach(function (spec) { chart(a, spec, holder); });
    });
  } catch (e) {
    errors.push(String(e && e.message || e));
    console.error(e);
  }
  setTimeout(function () { window.fleetsimRenderStatus(plots, errors); }, 0);
})();
