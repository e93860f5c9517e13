// fleetsim report.html: draws the charts described by the embedded JSON (#fleetsim-data) with
// uPlot, marks the controller's decisions and shades faults and maintenance windows on every time
// axis, and afterwards writes what it drew into #render-status (points per chart, coloured pixels
// in each plot area, each band's pixels, script errors) so a headless browser can check the page.
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

  // Rates in bits per second, as scenarios write them.
  function bitRate(v) {
    if (v == null) return "—";
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + " Gbps";
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e8 ? 0 : 1) + " Mbps";
    if (a >= 1e3) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + " kbps";
    return Math.round(v) + " bps";
  }
  function percent(v) { return v == null ? "—" : (Math.round(v * 10) / 10) + " %"; }
  var formats = { bits: bitRate, percent: percent };

  // Faults shade the whole plot height with a light tint; maintenance windows are lanes along the
  // bottom, one per time zone; instants (a bad build, a power loss) are 2 px lines. They are drawn
  // on a canvas of their own over the plot area (the stacked charts' opaque areas would hide
  // anything beneath), which the render check reads back band by band.
  var bandColours = {
    outage: [214, 39, 40], degradation: [255, 127, 14], brownout: [148, 103, 189], corrupt_artifact: [140, 86, 75],
    bad_build: [227, 119, 194], power_loss: [23, 190, 207], maintenance: [44, 160, 44]
  };
  var bandAlpha = 0.18, laneAlpha = 0.5, laneHeight = 6, instantWidth = 2;
  function bandAlphaOf(b) { return b.lane >= 0 ? laneAlpha : bandAlpha; }
  function bandColour(b, alpha) {
    return "rgba(" + (bandColours[b.kind] || [127, 127, 127]).join(",") + "," + alpha + ")";
  }
  // A band's rectangle in whole pixels of the band canvas (the plot area), or null outside it.
  function bandRect(u, b) {
    var bb = u.bbox, dpr = devicePixelRatio;
    var x0 = u.valToPos(data.start_unix + b.from, "x", true) - bb.left;
    var x1 = u.valToPos(data.start_unix + b.to, "x", true) - bb.left;
    if (b.to === b.from) { x0 -= instantWidth * dpr / 2; x1 = x0 + instantWidth * dpr; }
    x0 = Math.round(Math.max(x0, 0)); x1 = Math.round(Math.min(x1, bb.width));
    if (x1 - x0 < 1) return null;
    if (b.lane < 0) return { x: x0, y: 0, w: x1 - x0, h: Math.round(bb.height) };
    var h = Math.round(laneHeight * dpr), gap = Math.max(1, Math.round(dpr));
    return { x: x0, y: Math.round(bb.height) - (b.lane + 1) * (h + gap), w: x1 - x0, h: h };
  }
  function bandsPlugin(layer) {
    return { hooks: { draw: [function (u) {
      var bb = u.bbox, dpr = devicePixelRatio, cv = layer.canvas;
      if (!cv) {
        cv = layer.canvas = document.createElement("canvas");
        cv.className = "bands";
        u.over.appendChild(cv);
      }
      cv.width = Math.round(bb.width);
      cv.height = Math.round(bb.height);
      cv.style.width = bb.width / dpr + "px";
      cv.style.height = bb.height / dpr + "px";
      var ctx = cv.getContext("2d", { willReadFrequently: true });
      ctx.clearRect(0, 0, cv.width, cv.height);
      data.bands.forEach(function (b) {
        var r = bandRect(u, b);
        if (!r) return;
        ctx.fillStyle = bandColour(b, bandAlphaOf(b));
        ctx.fillRect(r.x, r.y, r.w, r.h);
      });
    }] } };
  }
  // Per band: its rectangle's area and the pixels there in its own colour (overlapping bands
  // blend, so a band keeps most but not always all of its area).
  function bandPixels(u, layer) {
    var cv = layer.canvas, px = cv && cv.width && cv.height ? cv.getContext("2d", { willReadFrequently: true })
      .getImageData(0, 0, cv.width, cv.height).data : null;
    return data.bands.map(function (b) {
      var r = px && bandRect(u, b), n = 0;
      if (!r) return { label: b.label, from: b.from, to: b.to, area: 0, pixels: 0 };
      var c = bandColours[b.kind] || [127, 127, 127], a = 255 * bandAlphaOf(b);
      for (var y = r.y; y < r.y + r.h; y++)
        for (var x = r.x; x < r.x + r.w; x++) {
          var i = 4 * (y * cv.width + x);
          if (Math.abs(px[i + 3] - a) <= 3 && Math.abs(px[i] - c[0]) <= 8 && Math.abs(px[i + 1] - c[1]) <= 8 &&
              Math.abs(px[i + 2] - c[2]) <= 8) n++;
        }
      return { label: b.label, from: b.from, to: b.to, area: r.w * r.h, pixels: n };
    });
  }
  function bandsAt(u, left) {
    var t = u.posToVal(left, "x") - data.start_unix, slack = (u.posToVal(left + 4, "x") - u.posToVal(left, "x"));
    return data.bands.filter(function (b) { return t >= b.from - slack && t <= b.to + slack; })
                     .map(function (b) { return b.label; });
  }
  function bandsLegend() {
    var div = document.getElementById("bands-legend");
    if (!data.bands.length) return;
    var h = document.createElement("h3");
    h.textContent = "Shaded on the time axes";
    div.appendChild(h);
    var seen = {};
    data.bands.forEach(function (b) {
      if (seen[b.label]) return;  // a window's daily repeats share one line
      seen[b.label] = true;
      var line = document.createElement("div"), swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = bandColour(b, b.lane >= 0 ? laneAlpha : 0.35);
      line.appendChild(swatch);
      line.appendChild(document.createTextNode(b.label + (b.lane >= 0 ? " (lane " + (b.lane + 1) + " from the bottom)" : "")));
      div.appendChild(line);
    });
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
    var format = formats[c.format] || number, layer = {};
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
                      value: function (u, v) { return format(v); } });
      });
      c.limits.forEach(function (l, i) {
        columns.push(l.values || x.map(function () { return l.value; }));
        series.push({ label: l.label, stroke: palette[(c.series.length + i) % palette.length], width: 1.5,
                      dash: [8, 4], value: function (u, v) { return format(v); } });
      });
    }
    var opts = {
      width: width(), height: 280, tzDate: utc, series: series, plugins: [bandsPlugin(layer), window.fleetsimDecisionMarks(info, [{ marks: data.marks, prefix: "", dash: [4, 3] }],
                                                                     data.start_unix, bandsAt, "; ")],
      scales: { y: { range: c.format === "percent" ? [0, 100]
                                                  : function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [{}, { size: 90, values: function (u, vals) { return vals.map(format); } }]
    };
    var plot = new uPlot(opts, columns, div);
    div.appendChild(info);
    plots.push({ id: c.id, plot: plot, points: pointsOf(c.series), layer: layer });
  }

  function pointsOf(seriesList) {
    var n = 0;
    seriesList.forEach(function (s) { s.values.forEach(function (v) { if (v != null) n++; }); });
    return n;
  }

  // Time to update: devices per bin (bars spanning each bin) and the cumulative share as a step
  // line that reaches each bin's level at the bin's end. x holds the bin edges 0, w, …, n·w.
  function histogramChart(h) {
    var counts = h.counts, n = counts.length, total = 0, run = 0;
    counts.forEach(function (c) { total += c; });
    var x = [], bars = [], cdf = [];
    for (var i = 0; i <= n; i++) {
      x.push(i * h.bin_s);
      bars.push(i < n ? counts[i] : null);
      cdf.push(i === 0 ? 0 : total ? 100 * (run += counts[i - 1]) / total : 0);
    }
    var div = document.getElementById("histogram"), holder = document.createElement("div");
    div.className = "chart";
    // A log scale shows the long tail next to a tall first bin.
    var toggle = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox";
    box.id = "histogram-log";
    toggle.appendChild(box);
    toggle.appendChild(document.createTextNode(" log scale (devices per bin)"));
    div.appendChild(toggle);
    div.appendChild(holder);
    function draw(log) {
      return new uPlot({
        width: width(), height: 260,
        scales: { x: { time: false, range: [0, n * h.bin_s] }, y: log ? { distr: 3 } : {}, pct: { range: [0, 100] } },
        series: [
          { label: "time to update (bin start)", value: function (u, v) { return v == null ? "—" : durationText(v); } },
          { label: "devices per " + durationText(h.bin_s) + " bin", stroke: palette[0], fill: "rgba(31,119,180,0.35)",
            paths: uPlot.paths.bars({ size: [1, Infinity], align: 1 }), points: { show: false } },
          { label: "cumulative % by the bin's end", stroke: palette[1], width: 2, scale: "pct",
            paths: uPlot.paths.stepped({ align: -1 }), points: { show: false },
            value: function (u, v) { return v == null ? "—" : v.toFixed(1) + " %"; } }
        ],
        // Ticks at round durations (the bins' widths are round, sim/results/duration_bins.hpp); on
        // the log scale only the powers of ten are labelled.
        axes: [{ incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
                         172800, 259200, 604800, 1209600],
                 values: function (u, vals) { return vals.map(durationText); } },
               { size: 70, values: function (u, vals) {
                 return vals.map(function (v) { return !log || Math.abs(Math.log10(v) % 1) < 1e-9 ? number(v) : ""; });
               } },
               { scale: "pct", side: 1, grid: { show: false }, values: function (u, vals) { return vals.map(function (v) { return v + " %"; }); } }]
      }, [x, log ? bars.map(function (c) { return c > 0 ? c : null; }) : bars, cdf], holder);
    }
    box.checked = location.hash === "#histogram-log";  // a link can open the page with it
    var entry = { id: "update_time", plot: draw(box.checked), points: n * 2,
                  histogram: { bins: n, bin_s: h.bin_s, log: box.checked } };
    box.addEventListener("change", function () {
      entry.plot.destroy();
      entry.plot = draw(box.checked);
      entry.histogram.log = box.checked;
    });
    plots.push(entry);
  }

  window.fleetsimDrawPage(function () {
    bandsLegend();
    data.charts.forEach(timeChart);
    histogramChart(data.histogram);
  }, plots, errors, width, function () {
    plots.forEach(function (p) { if (p.layer) p.bands = bandPixels(p.plot, p.layer); });
  });
})();
