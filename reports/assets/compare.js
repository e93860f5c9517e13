// fleetsim compare.html: overlays the charts of two runs (#fleetsim-data: runs[0] the baseline A,
// drawn solid, runs[1] the variant B, dashed; one colour per series for both), on a time axis
// counted from each run's start, marks each run's controller decisions (A1… on the top row, B1…
// below), and afterwards writes what it drew into #render-status (render_status.js).
(function () {
  "use strict";
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });

  var data = JSON.parse(document.getElementById("fleetsim-data").textContent);
  var durationText = window.fleetsimFormat.durationText, number = window.fleetsimFormat.number;
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#bcbd22", "#3949ab", "#f4511e", "#00897b", "#c0ca33", "#8e24aa", "#6d4c41", "#d81b60", "#1e88e5"];
  var runStyle = [{ dash: null, letter: "A" }, { dash: [7, 4], letter: "B" }];
  var plots = [];

  // Tick steps on the time axes: whole minutes, hours and days.
  var timeSteps = [1, 10, 60, 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000];
  // Tick labels in the unit of the step uPlot chose, so that every label is a whole number of it.
  function timeTicks(u, vals, axis, space, step) {
    var unit = step >= 86400 ? [86400, " d"] : step >= 3600 ? [3600, " h"] : step >= 60 ? [60, " min"] : [1, " s"];
    return vals.map(function (v) { return Math.round(10 * v / unit[0]) / 10 + unit[1]; });
  }

  function width() { return Math.max(600, document.getElementById("charts").clientWidth - 20); }

  // Every time either run has a sample, in order: uPlot draws all series of a plot on one x array.
  function unionTimes(arrays) {
    var all = [].concat.apply([], arrays).sort(function (p, q) { return p - q; });
    return all.filter(function (t, i) { return i === 0 || t !== all[i - 1]; });
  }
  // A run's values at its own times, null at the other run's (spanGaps joins the line across).
  function place(x, times, values) {
    var at = {}, out = x.map(function () { return null; });
    x.forEach(function (t, i) { at[t] = i; });
    times.forEach(function (t, k) { out[at[t]] = values[k] == null ? null : values[k]; });
    return out;
  }
  function countValues(values) {
    return values.reduce(function (n, v) { return v == null ? n : n + 1; }, 0);
  }
  function labelsOf(lists) {
    var labels = [];
    lists.forEach(function (list) {
      (list || []).forEach(function (s) { if (labels.indexOf(s.label) < 0) labels.push(s.label); });
    });
    return labels;
  }
  function find(list, label) {
    for (var i = 0; i < (list || []).length; i++) if (list[i].label === label) return list[i];
    return null;
  }

  // The decision numbers: A's on the top row (solid lines), B's below (dashed).
  var markRows = data.runs.map(function (run, r) {
    return { marks: run.marks, prefix: runStyle[r].letter, dash: r === 0 ? [] : [4, 3] };
  });

  function container(id, title) {
    var div = document.createElement("div");
    div.className = "chart";
    div.id = "chart-" + id;
    var h = document.createElement("h3");
    h.textContent = title;
    div.appendChild(h);
    document.getElementById("charts").appendChild(div);
    return div;
  }

  function draw(id, title, x, series, columns, points, xValue, xAxis, withMarks) {
    var div = container(id, title);
    var info = document.createElement("div");
    info.className = "mark-info";
    var plot = new uPlot({
      width: width(), height: 280, series: [{ label: "time since start", value: xValue }].concat(series),
      plugins: withMarks ? [window.fleetsimDecisionMarks(info, markRows, 0, null, " | ")] : [],
      legend: { markers: { dash: function (u, i) { return u.series[i].dash ? "dashed" : "solid"; } } },
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
      axes: [{ values: xAxis, incrs: timeSteps }, { size: 70, values: function (u, vals) { return vals.map(number); } }]
    }, [x].concat(columns), div);
    div.appendChild(info);
    plots.push({ id: id, plot: plot, points: points });
  }

  function line(label, run, colour, width) {
    return { label: label + " — " + run.name, stroke: colour, width: width, dash: runStyle[data.runs.indexOf(run)].dash,
             spanGaps: true, value: function (u, v) { return number(v); } };
  }

  // One chart of report.html (by id) with both runs' series; stacked charts are drawn as lines.
  function timeChart(id) {
    var charts = data.runs.map(function (run) {
      return run.charts.filter(function (c) { return c.id === id; })[0] || null;
    });
    var first = charts[0] || charts[1];
    var x = unionTimes(data.runs.map(function (run) { return run.t; }));
    var labels = labelsOf(charts.map(function (c) { return c && c.series; }));
    var limits = labelsOf(charts.map(function (c) { return c && c.limits; }));
    var series = [], columns = [], points = 0;
    labels.forEach(function (label, i) {
      data.runs.forEach(function (run, r) {
        var s = charts[r] && find(charts[r].series, label);
        if (!s) return;
        columns.push(place(x, run.t, s.values));
        series.push(line(label, run, palette[i % palette.length], 2));
        points += countValues(s.values);
      });
    });
    limits.forEach(function (label, i) {
      data.runs.forEach(function (run, r) {
        var l = charts[r] && find(charts[r].limits, label);
        if (!l) return;
        columns.push(place(x, run.t, l.values || run.t.map(function () { return l.value; })));
        series.push(line(label, run, palette[(labels.length + i) % palette.length], 1));
      });
    });
    draw(id, first.title + " (" + first.unit + ")", x, series, columns, points,
         function (u, v) { return v == null ? "—" : durationText(v); },
         timeTicks, true);
  }

  // Time to update: each run's cumulative share of updated devices at the end of each bin.
  function updateTimeChart() {
    var curves = data.runs.map(function (run) {
      var h = run.histogram, counts = h.counts.slice(), total = 0, sum = 0;
      while (counts.length > 1 && counts[counts.length - 1] === 0) counts.pop();
      counts.forEach(function (c) { total += c; });
      var t = [0], share = [0];
      counts.forEach(function (c, i) {
        sum += c;
        t.push((i + 1) * h.bin_s);
        share.push(total ? 100 * sum / total : 0);
      });
      return { t: t, share: share };
    });
    var x = unionTimes(curves.map(function (c) { return c.t; }));
    var series = [], columns = [], points = 0;
    data.runs.forEach(function (run, r) {
      columns.push(place(x, curves[r].t, curves[r].share));
      series.push(line("devices updated within", run, palette[0], 2));
      series[r].value = function (u, v) { return v == null ? "—" : v.toFixed(1) + " %"; };
      points += curves[r].share.length;
    });
    draw("update_time", "Time to update: share of the updated devices that took at most this long (%)", x, series,
         columns, points, function (u, v) { return v == null ? "—" : durationText(v); },
         timeTicks, false);
  }

  window.fleetsimDrawPage(function () {
    labelsOf(data.runs.map(function (run) {
      return run.charts.map(function (c) { return { label: c.id }; });
    })).forEach(timeChart);
    updateTimeChart();
  }, plots, errors, width, null);
})();
