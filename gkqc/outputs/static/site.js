// gkqc 评分卡网页：表格排序与筛选。只操作本页，不联网、不加载其他文件。
// (sorting and filtering of this page's tables; no network, nothing loaded)
(function () {
  "use strict";
  function value(row, i) {
    var cell = row.cells[i];
    if (!cell) return "";
    var v = cell.getAttribute("data-v");
    return v !== null ? v : cell.textContent.trim();
  }
  function sortBy(table, th) {
    var i = th.cellIndex, body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var numeric = th.getAttribute("data-type") === "num";
    var rows = Array.prototype.slice.call(body.rows).map(function (r, k) {
      var v = value(r, i);
      return {r: r, k: k, v: numeric ? (v === "" ? NaN : parseFloat(v)) : v};
    });
    rows.sort(function (a, b) {
      var c;
      if (numeric) {
        if (isNaN(a.v) || isNaN(b.v)) c = isNaN(a.v) - isNaN(b.v);  // empty last either way
        else c = asc ? a.v - b.v : b.v - a.v;
      } else {
        c = asc ? a.v.localeCompare(b.v, "zh-CN") : b.v.localeCompare(a.v, "zh-CN");
      }
      return c || a.k - b.k;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (x) { frag.appendChild(x.r); });
    body.appendChild(frag);
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }
  function applyFilters(table) {
    var text = document.querySelector('input[data-filter="' + table.id + '"]');
    var year = document.querySelector('select[data-year="' + table.id + '"]');
    var q = text ? text.value.trim().toLowerCase() : "";
    var y = year ? year.value : "";
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var ok = (!y || r.getAttribute("data-year") === y) && (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) shown++;
    });
    var count = document.querySelector('[data-count="' + table.id + '"]');
    if (count) count.textContent = shown;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var head = table.tHead;
    if (head) {
      Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th) {
        th.addEventListener("click", function () { sortBy(table, th); });
      });
    }
    var controls = document.querySelectorAll('[data-filter="' + table.id + '"], [data-year="' + table.id + '"]');
    controls.forEach(function (c) { c.addEventListener("input", function () { applyFilters(table); }); });
    if (controls.length) applyFilters(table);
  });
})();
