/* The book's script (tradebook.book.sphinxext loads it on every page).
   Live charts: draw every <div class="tb-vega" data-vega-lite="…"> with the vendored vega-embed
   (vendor/vega/tradebook-vega.js, loaded before this file on pages with a chart). The static SVG image
   of the same figure stays for print and for readers without JavaScript; on screen it is hidden once the
   live chart is drawn. Nothing is fetched: the spec and its data are in the page.
   Tables: a box that really scrolls sideways gets .tb-overflows, which shows a written cue. */
(function () {
  "use strict";
  function render(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-vega-lite")); } catch (e) { el.dataset.state = "bad-spec"; return; }
    if (!window.vegaEmbed) { el.dataset.state = "no-vega"; return; }
    // The build leaves the placeholder in the download box under the figure; draw it inside the figure.
    var figure = (el.dataset.figure && document.getElementById(el.dataset.figure)) || el.closest("figure");
    if (figure && figure.tagName === "FIGURE" && !figure.contains(el)) {
      var caption = figure.querySelector("figcaption");
      figure.insertBefore(el, caption);
    }
    window.vegaEmbed(el, spec, {
      mode: "vega-lite", renderer: "svg", actions: false, ast: false,
      tooltip: { theme: "light", offsetX: 12, offsetY: 12 }
    }).then(function (result) {
      el.dataset.state = "live";
      if (figure) figure.classList.add("tb-live");
      el.tbView = result.view;
    }).catch(function (err) {
      el.dataset.state = "failed";
      console.warn("tradebook chart not drawn; the static image stays:", err && err.message);
    });
  }
  // Tables: each scroll box gets .tb-scroll; .tb-overflows while it really has more columns to show.
  function tables() {
    var boxes = document.querySelectorAll(".bd-article .output.text_html, .bd-article .pst-scrollable-table-container");
    boxes.forEach(function (box) {
      if (!box.querySelector(":scope > table")) return;
      box.classList.add("tb-scroll");
      box.classList.toggle("tb-overflows", box.scrollWidth > box.clientWidth + 1);
    });
  }
  function all() {
    document.querySelectorAll("div.tb-vega").forEach(render);
    tables();
    window.addEventListener("resize", tables);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
