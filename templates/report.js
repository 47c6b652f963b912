// Filter the findings by severity and code, and print with every folded part open. Plain
// script with no dependencies, inlined: the page must work offline. Without scripts the
// filter bar stays hidden and the page shows everything.
(function () {
  "use strict";
  var form = document.getElementById("filter");
  if (!form) { return; }
  form.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var groups = document.querySelectorAll("tbody.group");
  var blocks = document.querySelectorAll(".doc, ul.clean-list > li, section.package");
  var folded = Array.prototype.slice.call(document.querySelectorAll("details"));

  function visible(element) {
    return element.querySelector("tr.finding:not([hidden])") !== null;
  }

  function apply() {
    var wanted = {};
    Array.prototype.forEach.call(form.elements.severity, function (box) {
      wanted[box.value] = box.checked;
    });
    var code = form.elements.code.value;
    var everything = !code && wanted.error && wanted.warning && wanted.info;
    var shown = 0;
    rows.forEach(function (row) {
      var keep = wanted[row.dataset.severity] !== false && (!code || row.dataset.code === code);
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    });
    Array.prototype.forEach.call(groups, function (group) { group.hidden = !visible(group); });
    // Filtering: only the documents and packages with a matching finding stay, opened.
    Array.prototype.forEach.call(blocks, function (block) {
      block.hidden = !everything && !visible(block);
    });
    if (!everything) {
      folded.forEach(function (details) { if (visible(details)) { details.open = true; } });
    }
    form.elements.status.value = everything ? "" : shown + " / " + rows.length + " 条 findings";
  }

  // A link may preset the filter: report.html?severity=error,warning&code=age-mismatch
  var query = new URLSearchParams(window.location.search);
  if (query.has("severity")) {
    var severities = query.get("severity").split(",");
    Array.prototype.forEach.call(form.elements.severity, function (box) {
      box.checked = severities.indexOf(box.value) >= 0;
    });
  }
  if (query.has("code")) { form.elements.code.value = query.get("code"); }
  if (query.has("severity") || query.has("code")) { apply(); }

  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });

  // Printing shows what is folded; afterwards the page is as the reader left it.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = folded.filter(function (details) { return !details.open; });
    closed.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (details) { details.open = false; });
    closed = [];
  });
}());
