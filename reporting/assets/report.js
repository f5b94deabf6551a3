// newsx report: the events filters, clickable names and graph focus. Reads only the page itself.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#events-table tbody tr"));
  var fields = {
    type: document.getElementById("filter-type"),
    entity: document.getElementById("filter-entity"),
    from: document.getElementById("filter-from"),
    to: document.getElementById("filter-to"),
    modality: document.getElementById("filter-modality")
  };
  var count = document.getElementById("filter-count");

  // Compare a partial ISO date with a bound on their common precision, so 2024 overlaps 2024-05.
  function compare(date, bound) {
    var n = Math.min(date.length, bound.length);
    var a = date.slice(0, n), b = bound.slice(0, n);
    return a < b ? -1 : (a > b ? 1 : 0);
  }

  function dateMatches(date, from, to) {
    if (!from && !to) { return true; }
    if (!date) { return false; }
    return (!from || compare(date, from) >= 0) && (!to || compare(date, to) <= 0);
  }

  function apply() {
    var type = fields.type.value, modality = fields.modality.value;
    var entity = fields.entity.value.trim().toLowerCase();
    var from = fields.from.value.trim(), to = fields.to.value.trim();
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!type || row.dataset.type === type) &&
        (!modality || row.dataset.modality === modality) &&
        (!entity || row.dataset.entities.toLowerCase().indexOf(entity) !== -1) &&
        dateMatches(row.dataset.date, from, to);
      row.hidden = !visible;
      if (visible) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " events";
  }

  // A filtered view can be linked to: report.html?type=personnel.hire&entity=OpenAI&from=2024
  var params = new URLSearchParams(window.location.search);
  Object.keys(fields).forEach(function (name) {
    if (params.has(name)) { fields[name].value = params.get(name); }
    fields[name].addEventListener("input", apply);
    fields[name].addEventListener("change", apply);
  });

  document.getElementById("filter-reset").addEventListener("click", function () {
    Object.keys(fields).forEach(function (name) { fields[name].value = ""; });
    apply();
  });

  // A click on any entity name (table, timeline, careers, graph) filters the events by it.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-entity]");
    if (!target) { return; }
    fields.entity.value = target.getAttribute("data-entity");
    apply();
    if (!target.closest("#events")) {
      event.preventDefault();
      document.getElementById("events").scrollIntoView();
    }
  });

  // Hovering a graph node fades every edge that does not touch it.
  var graph = document.querySelector("svg.graph");
  if (graph) {
    graph.addEventListener("mouseover", function (event) {
      var node = event.target.closest(".graph-node");
      if (!node) { return; }
      var id = node.getAttribute("data-node");
      graph.classList.add("focus");
      graph.querySelectorAll(".edge").forEach(function (edge) {
        edge.classList.toggle("near", edge.getAttribute("data-a") === id || edge.getAttribute("data-b") === id);
      });
    });
    graph.addEventListener("mouseout", function () { graph.classList.remove("focus"); });
  }

  apply();
  document.body.setAttribute("data-ready", "1");
}());
