// nbac graph page: pan, zoom, find, and a panel with the clicked block's
// file:line and attributes. Text from the configuration is only ever set
// with textContent, never parsed as HTML.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('nbac-data').textContent);
  var blocks = {};
  data.nodes.forEach(function (n) { blocks[n.id] = n; });
  var canvas = document.getElementById('canvas');
  var svg = canvas.querySelector('svg');
  var panel = document.getElementById('panel');
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  var base = svg.viewBox.baseVal;
  var full = { x: base.x, y: base.y, w: base.width, h: base.height };
  var view = { x: full.x, y: full.y, w: full.w, h: full.h };
  document.getElementById('count').textContent = data.nodes.length + ' blocks, ' + data.edges + ' references';

  function apply() { svg.setAttribute('viewBox', view.x + ' ' + view.y + ' ' + view.w + ' ' + view.h); }
  function fit() { view = { x: full.x, y: full.y, w: full.w, h: full.h }; apply(); }
  function toGraph(clientX, clientY) {
    var p = svg.createSVGPoint();
    p.x = clientX; p.y = clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  function zoom(factor, at) {
    if (!at) { at = { x: view.x + view.w / 2, y: view.y + view.h / 2 }; }
    view.x = at.x - (at.x - view.x) * factor;
    view.y = at.y - (at.y - view.y) * factor;
    view.w *= factor;
    view.h *= factor;
    apply();
  }
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, toGraph(ev.clientX, ev.clientY));
  }, { passive: false });

  var drag = null;
  canvas.addEventListener('pointerdown', function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, moved: false };
    canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener('pointermove', function (ev) {
    if (!drag) { return; }
    var ctm = svg.getScreenCTM();
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; canvas.classList.add('dragging'); }
    view.x -= dx / ctm.a;
    view.y -= dy / ctm.d;
    drag.x = ev.clientX; drag.y = ev.clientY;
    apply();
  });
  canvas.addEventListener('pointerup', function (ev) {
    var moved = drag && drag.moved;
    drag = null;
    canvas.classList.remove('dragging');
    if (moved) { return; }
    var target = document.elementFromPoint(ev.clientX, ev.clientY);
    var g = target && target.closest ? target.closest('g.node') : null;
    if (g) { show(g.id); }
  });

  function cell(row, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
  }
  function show(id) {
    var b = blocks[id];
    if (!b) { return; }
    svg.querySelectorAll('g.node.selected').forEach(function (g) { g.classList.remove('selected'); });
    var g = document.getElementById(id);
    if (g) { g.classList.add('selected'); }
    panel.replaceChildren();
    var h = document.createElement('h2');
    h.textContent = (b.status ? b.status + ': ' : '') + b.kind + ' "' + b.name + '"';
    panel.appendChild(h);
    var where = document.createElement('div');
    where.className = 'where';
    where.id = 'where';
    where.textContent = b.file ? b.file + ':' + b.line : '(position unknown: read from model.json)';
    panel.appendChild(where);
    var table = document.createElement('table');
    b.attrs.forEach(function (a) {
      var row = document.createElement('tr');
      cell(row, a.key);
      cell(row, a.value);
      cell(row, a.line ? ':' + a.line : '', 'line');
      table.appendChild(row);
    });
    panel.appendChild(table);
  }

  var search = document.getElementById('search');
  search.addEventListener('input', function () {
    var q = search.value.toLowerCase();
    svg.querySelectorAll('g.node').forEach(function (g) {
      var b = blocks[g.id];
      g.classList.toggle('dim', q !== '' && !(b && b.block.toLowerCase().indexOf(q) >= 0));
    });
  });
  search.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') { return; }
    var hit = svg.querySelector('g.node:not(.dim)');
    if (!hit) { return; }
    var box = hit.getBBox();
    var ctm = hit.getCTM(), root = svg.getCTM();
    var p = svg.createSVGPoint();
    p.x = box.x + box.width / 2; p.y = box.y + box.height / 2;
    p = p.matrixTransform(root.inverse().multiply(ctm));
    view.w = Math.max(box.width * 4, full.w / 8);
    view.h = view.w * full.h / full.w;
    view.x = p.x - view.w / 2; view.y = p.y - view.h / 2;
    apply();
    show(hit.id);
  });
  document.getElementById('zoom-in').addEventListener('click', function () { zoom(1 / 1.25); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoom(1.25); });
  document.getElementById('fit').addEventListener('click', fit);
  document.addEventListener('keydown', function (ev) {
    if (ev.target === search) { return; }
    if (ev.key === '+' || ev.key === '=') { zoom(1 / 1.25); }
    if (ev.key === '-') { zoom(1.25); }
    if (ev.key === '0') { fit(); }
  });
  window.nbacShow = show; // for tests and the console
  document.body.dataset.ready = 'true';
}());
