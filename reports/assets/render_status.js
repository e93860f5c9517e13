// Shared by report.html, compare.html and sweep.html: after a page has drawn its uPlot charts,
// writes what it drew into #render-status (points per chart, coloured pixels in each plot area,
// script errors) so a headless browser can check the page.
window.fleetsimRenderStatus = function (plots, errors) {
  "use strict";
  // Pixels in series colours (saturated, unlike the grey grid, axes and marks) in the plot area.
  function colouredPixels(u) {
    var b = u.bbox;
    if (b.width < 1 || b.height < 1) return 0;
    var px = u.ctx.getImageData(b.left, b.top, b.width, b.height).data, n = 0;
    for (var i = 0; i < px.length; i += 4) {
      var hi = Math.max(px[i], px[i + 1], px[i + 2]), lo = Math.min(px[i], px[i + 1], px[i + 2]);
      if (px[i + 3] > 100 && hi - lo > 60) n++;
    }
    return n;
  }
  var el = document.getElementById("render-status");
  el.textContent = JSON.stringify({ charts: plots.map(function (p) {
    var status = { id: p.id, points: p.points, coloured_pixels: colouredPixels(p.plot) };
    if (p.y_axis) status.y_axis = p.y_axis;  // what the value axis shows (sweep.html)
    if (p.x_axis) status.x_axis = p.x_axis;  // where the x values landed (sweep.html)
    if (p.markers) status.markers = p.markers;  // verdict markers drawn (sweep.html)
    if (p.bands) status.bands = p.bands;  // each shaded band's pixels (report.html)
    if (p.histogram) status.histogram = p.histogram;  // its bins (report.html)
    return status;
  }), errors: errors });
  el.setAttribute("data-done", "1");
};

// How report.html and compare.html draw: `draw` makes the charts (into `plots`; an exception is
// kept in `errors` rather than stopping the page), the charts follow the window's width(), and
// once uPlot has drawn them (in a microtask after construction: a timeout runs after it)
// `afterDraw` (or null) measures what it needs and the status is written.
window.fleetsimDrawPage = function (draw, plots, errors, width, afterDraw) {
  "use strict";
  function keep(e) {
    errors.push(String(e && e.message || e));
    console.error(e);
  }
  try {
    draw();
  } catch (e) {
    keep(e);
  }
  window.addEventListener("resize", function () {
    plots.forEach(function (p) { p.plot.setSize({ width: width(), height: p.plot.height }); });
  });
  setTimeout(function () {
    try {
      if (afterDraw) afterDraw();
    } catch (e) {
      keep(e);
    }
    window.fleetsimRenderStatus(plots, errors);
  }, 0);
};
