// Decision marks for the time charts of report.html and compare.html (a uPlot plugin): at each
// decision of a run, a vertical line with the decision's number at the top of the plot area, one
// row of numbers per run; under the cursor, the texts of the decisions within 6 px.
//   info: the element the cursor's texts go to
//   rows: [{marks: [{t, n, text}], prefix: "" or a run's letter, dash: the lines' dash pattern}]
//   offset: seconds added to a mark's t (seconds since its run's start) on the x scale
//   extraTexts(u, left): more texts at the cursor (report.html's shaded bands), or null
//   separator: between the texts
window.fleetsimDecisionMarks = function (info, rows, offset, extraTexts, separator) {
  "use strict";
  var durationText = window.fleetsimFormat.durationText;
  function xOf(u, m) { return u.valToPos(offset + m.t, "x", true); }
  return {
    hooks: {
      draw: [function (u) {
        var ctx = u.ctx, top = u.bbox.top, bottom = top + u.bbox.height, dpr = devicePixelRatio;
        ctx.save();
        ctx.strokeStyle = "#555";
        ctx.fillStyle = "#333";
        ctx.font = Math.round(11 * dpr) + "px sans-serif";
        ctx.textAlign = "center";
        rows.forEach(function (row, r) {
          ctx.setLineDash(row.dash);
          var y = top + (10 + 12 * r) * dpr;
          row.marks.forEach(function (m) {
            var x = xOf(u, m);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
            ctx.beginPath();
            ctx.moveTo(x, y + 2 * dpr);
            ctx.lineTo(x, bottom);
            ctx.stroke();
            ctx.fillText(row.prefix + m.n, x, y);
          });
        });
        ctx.restore();
      }],
      setCursor: [function (u) {
        var left = u.cursor.left, texts = [];
        if (left == null || left < 0) { info.textContent = ""; return; }
        rows.forEach(function (row) {
          row.marks.forEach(function (m) {
            var d = Math.abs(xOf(u, m) / devicePixelRatio - u.bbox.left / devicePixelRatio - left);
            if (d <= 6) texts.push((row.prefix ? row.prefix + " " : "") + durationText(m.t) + ": " + m.text);
          });
        });
        if (extraTexts) texts = texts.concat(extraTexts(u, left));
        info.textContent = texts.join(separator);
      }]
    }
  };
};
