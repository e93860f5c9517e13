// fleetsim report.html: draws the charts described by the embedded JSON (#fleetsim-data) with
// uPlot, marks the controller's decisions on every time axis, and afterwards writes what it drew
// into #render-status (points per chart, coloured pixels in each plot area, script errors) so a
// headless browser can check the page.
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });

  var data = JSON.parse(document.getElementById("fleetsim-data").textContent);
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#3949ab", "#f4511e", "#00897b", "#c0ca33", "#8e24aa", "#6d4c41", "#d81b60", "#1e88e5"];
  var plots = [];

  function utc(ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); }
  function width() { return Math.max(600, document.getElementById("charts").clientWidth - 20); }

  var durationText = window.fleetsimFormat.durationText, number = window.fleetsimFormat.number;

  // Vertical dashed lines with the decision numbers at the top of the plot area.
  function marksPlugin(info) {
    function xOf(u, m) { return u.valToPos(data.start_unix + m.t, "x", true); }
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, bottom = top + u.bbox.height;
          ctx.save();
          ctx.strokeStyle = "#555";
          ctx.fillStyle = "#333";
          ctx.setLineDash([4, 3]);
          ctx.font = Math.round(11 * devicePixelRatio) + "px sans-serif";
          ctx.textAlign = "center";
          data.marks.forEach(function (m) {
            var x = xOf(u, m);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            ctx.beginPath();
            ctx.moveTo(x, top + 12 * devicePixelRatio);
            ctx.lineTo(x, bottom);
            ctx.stroke();
            ctx.fillText(String(m.n), x, top + 10 * devicePixelRatio);
          });
          ctx.restore();
        }],
        setCursor: [function (u) {
          var left = u.cursor.left, best = null, bestDist = 6;
          if (left == null || left < 0) { info.textContent = ""; return; }
          data.marks.forEach(function (m) {
            var d = Math.abs(xOf(u, m) / devicePixelRatio - u.bbox.left / devicePixelRatio - left);
            if (d <= bestDist) { best = m; bestDist = d; }
          });
          info.textContent = best ? durationText(best.t) + ": " + best.text : "";
        }]
      }
    };
  }

  function container(id, title) {
    var div = document.createElement("div");
    div.className = "chart";
    div.id = "chart-" + id;
    var h = document.createElement("h3");
    h.textContent = title;
    div.appendChild(h);
    return div;
  }

  function timeChart(c) {
    var div = container(c.id, c.title + " (" + c.unit + ")");
    document.getElementById("charts").appendChild(div);
    var info = document.createElement("div");
    info.className = "mark-info";
    var x = data.t.map(function (t) { return data.start_unix + t; });
    var columns = [x], series = [{ label: "time (UTC)" }];
    var raw = c.series.map(function (s) { return s.values; });
    if (c.stacked) {
      // Stacked areas: the k-th drawn series is the sum of the first n-k series, filled opaque and
      // drawn from the largest sum down, so each band shows one series; the legend shows raw values.
      var n = raw.length;
      for (var k = 0; k < n; k++) {
        var idx = n - 1 - k;
        columns.push(x.map(function (_, i) {
          var sum = 0;
          for (var j = 0; j <= idx; j++) sum += raw[j][i] || 0;
          return sum;
        }));
        series.push({
          label: c.series[idx].label, stroke: palette[idx % palette.length], fill: palette[idx % palette.length],
          width: 1, value: (function (r) { return function (u, v, si, i) { return i == null ? "—" : number(r[i]); }; })(raw[idx])
        });
      }
    } else {
      c.series.forEach(function (s, i) {
        columns.push(s.values);
        series.push({ label: s.label, stroke: palette[i % palette.length], width: 1.5,
                      value: function (u, v) { return number(v); } });
      });
      c.limits.forEach(function (l, i) {
        columns.push(l.values || x.map(function () { return l.value; }));
        series.push({ label: l.label, stroke: palette[(c.series.length + i) % palette.length], width: 1.5,
                      dash: [8, 4], value: function (u, v) { return number(v); } });
      });
    }
    var opts = {
      width: width(), height: 280, tzDate: utc, series: series, plugins: [marksPlugin(info)],
      scales: { y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [{}, { size: 70, values: function (u, vals) { return vals.map(number); } }]
    };
    var plot = new uPlot(opts, columns, div);
    div.appendChild(info);
    plots.push({ id: c.id, plot: plot, points: pointsOf(c.series) });
  }

  function pointsOf(seriesList) {
    var n = 0;
    seriesList.forEach(function (s) { s.values.forEach(function (v) { if (v != null) n++; }); });
    return n;
  }

  // Time to update: devices per bin (bars) and the cumulative share (line, right axis).
  function histogramChart(h) {
    var counts = h.counts.slice();
    while (counts.length > 1 && counts[counts.length - 1] === 0) counts.pop();
    var total = counts.reduce(function (a, b) { return a + b; }, 0), run = 0;
    var x = counts.map(function (_, i) { return i * h.bin_s; });
    var cdf = counts.map(function (c) { run += c; return total ? 100 * run / total : 0; });
    var div = document.getElementById("histogram");
    div.className = "chart";
    var plot = new uPlot({
      width: width(), height: 260,
      scales: { x: { time: false }, pct: { range: [0, 100] } },
      series: [
        { label: "time to update (bin start)", value: function (u, v) { return v == null ? "—" : durationText(v); } },
        { label: "devices per " + durationText(h.bin_s) + " bin", stroke: palette[0], fill: "rgba(31,119,180,0.35)",
          paths: uPlot.paths.bars({ size: [0.9, 100] }), points: { show: false } },
        { label: "cumulative % to the end of the bin", stroke: palette[1], width: 2, scale: "pct",
          value: function (u, v) { return v == null ? "—" : v.toFixed(1) + " %"; } }
      ],
      axes: [{ values: function (u, vals) { return vals.map(durationText); } },
             { size: 70, values: function (u, vals) { return vals.map(number); } },
             { scale: "pct", side: 1, grid: { show: false }, values: function (u, vals) { return vals.map(function (v) { return v + " %"; }); } }]
    }, [x, counts, cdf], div);
    plots.push({ id: "update_time", plot: plot, points: counts.length * 2 });
  }

  try {
    data.charts.forEach(timeChart);
    histogramChart(data.histogram);
  } catch (e) {
    errors.push(String(e && e.message || e));
    console.error(e);
  }
  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p.plot.setSize({ width: width(), height: p.plot.height }); });
  });
  // uPlot draws in a microtask after construction; a timeout runs after it.
  setTimeout(function () { window.fleetsimRenderStatus(plots, errors); }, 0);
})();
