/**
 * The script of the graph page, as the text inlined into it (plain ES2020
 * for the browser; kept as text so the page needs no build step and works
 * from file://). It reads the graph from the page's JSON block, lays it out
 * in layers (users before what they use, left to right or top to bottom,
 * whichever shows it larger), draws it as
 * SVG with `data-id` / `data-from` / `data-to` / `data-kind` on every node
 * and edge, and adds pan and zoom, selection with an attribute panel, a
 * filter box and a legend whose kinds can be hidden. No template literals
 * inside: the text lives in one.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var NODE_W = 176, NODE_H = 38, COL_GAP = 96, ROW_GAP = 16;
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var graph = data.graph, nodeStyle = data.nodeStyle, edgeStyle = data.edgeStyle;
  var byId = new Map(graph.nodes.map(function (n) { return [n.id, n]; }));
  var kindOrder = Object.keys(nodeStyle);
  var $ = function (id) { return document.getElementById(id); };

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(name, text, parent, cls) {
    var e = document.createElement(name);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }
  function byKindThenName(a, b) {
    return kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }
  function edgeLabel(e) { return edgeStyle[e.kind].label + (e.detail !== undefined ? ' (' + e.detail + ')' : ''); }
  function stepName(n) { return n.kind === 'step' && typeof n.attributes.pipeline === 'string' ? n.attributes.pipeline + ' / ' + n.name : n.name; }

  // ---- layout: layers by longest path over the edges (back edges of cycles ignored), order by barycentres
  function rank() {
    var out = new Map();
    graph.nodes.forEach(function (n) { out.set(n.id, []); });
    var linked = new Set();
    graph.edges.forEach(function (e) {
      if (e.from === e.to) return;
      out.get(e.from).push(e.to);
      linked.add(e.from); linked.add(e.to);
    });
    var state = new Map(), forward = [];
    function visit(id) {
      state.set(id, 1);
      out.get(id).forEach(function (to) {
        var s = state.get(to);
        if (s === undefined) { forward.push([id, to]); visit(to); }
        else if (s === 2) forward.push([id, to]);
      });
      state.set(id, 2);
    }
    var connected = graph.nodes.filter(function (n) { return linked.has(n.id); }).sort(byKindThenName);
    connected.forEach(function (n) { if (!state.has(n.id)) visit(n.id); });
    var indeg = new Map(), next = new Map(), layer = new Map();
    connected.forEach(function (n) { indeg.set(n.id, 0); next.set(n.id, []); layer.set(n.id, 0); });
    forward.forEach(function (p) { indeg.set(p[1], indeg.get(p[1]) + 1); next.get(p[0]).push(p[1]); });
    var queue = connected.filter(function (n) { return indeg.get(n.id) === 0; }).map(function (n) { return n.id; });
    var hasIncoming = new Set(forward.map(function (p) { return p[1]; }));
    while (queue.length) {
      var id = queue.shift();
      next.get(id).forEach(function (to) {
        layer.set(to, Math.max(layer.get(to), layer.get(id) + 1));
        indeg.set(to, indeg.get(to) - 1);
        if (indeg.get(to) === 0) queue.push(to);
      });
    }
    // a node nothing points to sits just before the nearest thing it uses, not in the first layer
    connected.forEach(function (n) {
      if (hasIncoming.has(n.id) || !next.get(n.id).length) return;
      layer.set(n.id, Math.min.apply(null, next.get(n.id).map(function (to) { return layer.get(to); })) - 1);
    });
    var layers = [];
    connected.forEach(function (n) { var l = layer.get(n.id); (layers[l] = layers[l] || []).push(n.id); });
    layers = layers.filter(Boolean);
    var index = new Map(), neighbours = new Map();
    layers.forEach(function (ids) { ids.forEach(function (id, i) { index.set(id, i); }); });
    connected.forEach(function (n) { neighbours.set(n.id, []); });
    forward.forEach(function (p) { neighbours.get(p[0]).push(p[1]); neighbours.get(p[1]).push(p[0]); });
    for (var sweep = 0; sweep < 8; sweep++) {
      (sweep % 2 === 0 ? layers : layers.slice().reverse()).forEach(function (ids) {
        var centre = new Map();
        ids.forEach(function (id) {
          var ns = neighbours.get(id).filter(function (o) { return layer.get(o) !== layer.get(id); });
          centre.set(id, ns.length ? ns.reduce(function (s, o) { return s + index.get(o); }, 0) / ns.length : index.get(id));
        });
        ids.sort(function (a, b) { return centre.get(a) - centre.get(b) || index.get(a) - index.get(b); });
        ids.forEach(function (id, i) { index.set(id, i); });
      });
    }
    return { layers: layers, alone: graph.nodes.filter(function (n) { return !linked.has(n.id); }).sort(byKindThenName).map(function (n) { return n.id; }) };
  }

  // Positions for a direction: 'LR' puts layers in columns (users left of what they use), 'TB' in rows.
  // Nodes without any reference go in rows below, grouped by kind.
  var GAP = { LR: { along: 96, across: 16 }, TB: { along: 64, across: 20 } };
  function place(ranked, dir) {
    var pos = new Map(), g = GAP[dir];
    var stepAlong = dir === 'LR' ? NODE_W + g.along : NODE_H + g.along;
    var stepAcross = dir === 'LR' ? NODE_H + g.across : NODE_W + g.across;
    var widest = ranked.layers.reduce(function (m, ids) { return Math.max(m, ids.length); }, 0);
    ranked.layers.forEach(function (ids, l) {
      var offset = (widest - ids.length) * stepAcross / 2;
      ids.forEach(function (id, i) {
        var a = l * stepAlong, b = offset + i * stepAcross;
        pos.set(id, dir === 'LR' ? { x: a, y: b } : { x: b, y: a });
      });
    });
    var extentX = dir === 'LR' ? ranked.layers.length * stepAlong : widest * stepAcross;
    var top = ranked.layers.length ? (dir === 'LR' ? widest * stepAcross : ranked.layers.length * stepAlong) + 40 : 0;
    var columns = Math.max(4, Math.floor(extentX / (NODE_W + 24)));
    ranked.alone.forEach(function (id, i) {
      pos.set(id, { x: (i % columns) * (NODE_W + 24), y: top + Math.floor(i / columns) * (NODE_H + 16) });
    });
    return pos;
  }

  // The control points of an edge's curve: out of the side facing the next layer, into the opposite side of the target.
  function curve(a, b, self, dir) {
    if (self) return [[a.x + NODE_W - 30, a.y], [a.x + NODE_W - 30, a.y - 34], [a.x + NODE_W + 24, a.y - 34], [a.x + NODE_W, a.y + NODE_H / 2]];
    var lr = dir === 'LR';
    var s = lr ? [a.x + NODE_W, a.y + NODE_H / 2] : [a.x + NODE_W / 2, a.y + NODE_H];
    var t = lr ? [b.x, b.y + NODE_H / 2] : [b.x + NODE_W / 2, b.y];
    var k = lr ? 0 : 1, o = 1 - k;
    var c1 = s.slice(), c2 = t.slice();
    if (t[k] > s[k]) {
      var half = (t[k] - s[k]) / 2;
      c1[k] += half; c2[k] -= half;
    } else {
      // a back edge or one within a layer: leave forwards, come back in from behind
      var bend = 70 + Math.abs(s[o] - t[o]) / 4;
      c1[k] += bend; c1[o] += bend / 2; c2[k] -= bend; c2[o] += bend / 2;
    }
    return [s, c1, c2, t];
  }

  // ---- drawing
  var svg = $('canvas'), viewport = $('viewport'), edgeLayer = $('edges'), nodeLayer = $('nodes');
  var ranked = rank(), dir = 'LR', pos = place(ranked, dir);
  var nodeEls = new Map(), edgeEls = [];
  function truncate(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  graph.edges.forEach(function (e, i) {
    var g = el('g', { class: 'edge' + (edgeStyle[e.kind].dashed ? ' dashed' : ''), 'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind, 'data-index': String(i) }, edgeLayer);
    var line = el('path', { class: 'line' }, g);
    var hit = el('path', { class: 'hit' }, g);
    var label = el('text', { class: 'edge-label', 'text-anchor': 'middle' }, g);
    label.textContent = edgeLabel(e);
    el('title', {}, g).textContent = stepName(byId.get(e.from)) + ' \u2192 ' + edgeLabel(e) + ' \u2192 ' + stepName(byId.get(e.to));
    edgeEls.push({ edge: e, el: g, line: line, hit: hit, label: label });
  });

  graph.nodes.forEach(function (n) {
    var style = nodeStyle[n.kind];
    var g = el('g', { class: 'node' + (n.attributes.missing === true ? ' missing' : ''), 'data-id': n.id, 'data-kind': n.kind, tabindex: '0', role: 'button' }, nodeLayer);
    el('rect', { class: 'box', width: String(NODE_W), height: String(NODE_H), rx: '6', style: 'stroke:' + style.colour }, g);
    el('rect', { class: 'stripe', width: '6', height: String(NODE_H), rx: '2', style: 'fill:' + style.colour }, g);
    el('text', { class: 'name', x: '14', y: '16' }, g).textContent = truncate(stepName(n), 24);
    el('text', { class: 'kind', x: '14', y: '30' }, g).textContent = style.label + (n.attributes.missing === true ? ' (not declared)' : '');
    el('title', {}, g).textContent = style.label + ' ' + stepName(n);
    g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
    g.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); select(n.id); } });
    nodeEls.set(n.id, g);
  });

  function position() {
    pos = place(ranked, dir);
    nodeEls.forEach(function (g, id) { var p = pos.get(id); g.setAttribute('transform', 'translate(' + p.x + ',' + p.y + ')'); });
    edgeEls.forEach(function (x) {
      var c = curve(pos.get(x.edge.from), pos.get(x.edge.to), x.edge.from === x.edge.to, dir);
      var d = 'M' + c[0].join(',') + ' C' + c[1].join(',') + ' ' + c[2].join(',') + ' ' + c[3].join(',');
      x.line.setAttribute('d', d);
      x.hit.setAttribute('d', d);
      // the label sits past the middle, where edges leaving the same node have spread apart
      var t = 0.62, w = [Math.pow(1 - t, 3), 3 * Math.pow(1 - t, 2) * t, 3 * (1 - t) * t * t, t * t * t], lx = 0, ly = 0;
      c.forEach(function (pt, k) { lx += w[k] * pt[0]; ly += w[k] * pt[1]; });
      x.label.setAttribute('x', String(lx));
      x.label.setAttribute('y', String(ly - 4));
    });
    document.body.setAttribute('data-direction', dir);
  }

  // ---- pan and zoom
  var view = { x: 20, y: 20, k: 1 };
  function apply() { viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); }
  function bounds(ids, at) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    ids.forEach(function (id) {
      var p = (at || pos).get(id);
      if (!p || nodeEls.get(id).classList.contains('hidden')) return;
      x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x + NODE_W); y1 = Math.max(y1, p.y + NODE_H);
    });
    return x0 === Infinity ? null : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  function fit(ids) {
    var b = bounds(ids || graph.nodes.map(function (n) { return n.id; }));
    var r = svg.getBoundingClientRect();
    if (!b || !r.width) return;
    view.k = Math.min(1.5, Math.max(0.1, Math.min((r.width - 40) / b.w, (r.height - 40) / b.h)));
    view.x = (r.width - b.w * view.k) / 2 - b.x * view.k;
    view.y = (r.height - b.h * view.k) / 2 - b.y * view.k;
    apply();
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.min(4, Math.max(0.1, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    apply();
  }
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener('pointerdown', function (ev) {
    if (ev.target.closest && ev.target.closest('.node')) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    view.x = drag.vx + dx; view.y = drag.vy + dy;
    apply();
  });
  svg.addEventListener('pointerup', function () {
    if (drag && !drag.moved) select(null);
    drag = null;
  });
  function centreOn(r) { zoomAt(r, svg.clientWidth / 2, svg.clientHeight / 2); }
  $('zoom-in').addEventListener('click', function () { centreOn(1.25); });
  $('zoom-out').addEventListener('click', function () { centreOn(0.8); });
  $('fit').addEventListener('click', function () { fit(); });
  $('turn').addEventListener('click', function () { dir = dir === 'LR' ? 'TB' : 'LR'; position(); fit(); });

  // ---- selection and the attribute panel
  var selected = null;
  function select(id) {
    selected = id;
    var near = new Set(id ? [id] : []);
    edgeEls.forEach(function (x) {
      var on = id !== null && (x.edge.from === id || x.edge.to === id);
      x.el.classList.toggle('highlighted', on);
      if (on) { near.add(x.edge.from); near.add(x.edge.to); }
    });
    document.body.classList.toggle('has-selection', id !== null);
    nodeEls.forEach(function (g, nid) {
      g.classList.toggle('selected', nid === id);
      g.classList.toggle('near', id !== null && near.has(nid));
    });
    showDetails(id);
  }
  function showDetails(id) {
    var panel = $('details');
    if (id === null) { panel.hidden = true; return; }
    var n = byId.get(id);
    panel.hidden = false;
    $('details-kind').textContent = nodeStyle[n.kind].label;
    $('details-kind').style.color = nodeStyle[n.kind].colour;
    $('details-name').textContent = stepName(n);
    var table = $('details-attributes');
    table.replaceChildren();
    Object.keys(n.attributes).forEach(function (key) {
      var row = html('tr', undefined, table);
      row.setAttribute('data-attribute', key);
      html('th', key, row);
      var cell = html('td', undefined, row), v = n.attributes[key];
      if (Array.isArray(v)) {
        var list = html('ul', undefined, cell);
        v.forEach(function (item) { html('li', item, list); });
      } else html(typeof v === 'string' && v.indexOf('\n') >= 0 ? 'pre' : 'span', String(v), cell);
    });
    if (!Object.keys(n.attributes).length) html('tr', undefined, table).appendChild(html('td', 'no attributes'));
    function links(target, list, other) {
      var ul = $(target);
      ul.replaceChildren();
      list.forEach(function (e) {
        var li = html('li', edgeLabel(e) + ' ', ul), b = html('button', stepName(byId.get(other(e))), li, 'link');
        b.addEventListener('click', function () { select(other(e)); fit([other(e)].concat([id])); });
      });
      ul.previousElementSibling.hidden = ul.hidden = list.length === 0;
    }
    links('details-out', graph.edges.filter(function (e) { return e.from === id; }), function (e) { return e.to; });
    links('details-in', graph.edges.filter(function (e) { return e.to === id; }), function (e) { return e.from; });
  }
  $('details-close').addEventListener('click', function () { select(null); });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') select(null); });

  // ---- filter box
  var search = $('search');
  function matches(n, q) {
    if (!q) return true;
    if (n.name.toLowerCase().indexOf(q) >= 0 || n.kind.indexOf(q) >= 0 || nodeStyle[n.kind].label.indexOf(q) >= 0) return true;
    return Object.keys(n.attributes).some(function (k) { return String(n.attributes[k]).toLowerCase().indexOf(q) >= 0; });
  }
  function applyFilter() {
    var q = search.value.trim().toLowerCase(), shown = 0;
    graph.nodes.forEach(function (n) {
      var g = nodeEls.get(n.id), on = matches(n, q);
      g.classList.toggle('unmatched', !on);
      if (on && !g.classList.contains('hidden')) shown++;
    });
    edgeEls.forEach(function (x) {
      x.el.classList.toggle('unmatched', nodeEls.get(x.edge.from).classList.contains('unmatched') && nodeEls.get(x.edge.to).classList.contains('unmatched'));
    });
    $('count').textContent = shown + ' of ' + graph.nodes.length + ' nodes';
  }
  search.addEventListener('input', applyFilter);
  search.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    var first = graph.nodes.find(function (n) { var g = nodeEls.get(n.id); return !g.classList.contains('unmatched') && !g.classList.contains('hidden'); });
    if (first) { select(first.id); fit([first.id]); }
  });

  // ---- legend: one entry per kind present, each can be hidden
  var legend = $('legend-kinds');
  kindOrder.forEach(function (kind) {
    var count = graph.nodes.filter(function (n) { return n.kind === kind; }).length;
    if (!count) return;
    var li = html('li', undefined, legend), label = html('label', undefined, li);
    li.setAttribute('data-kind', kind);
    var box = html('input', undefined, label);
    box.type = 'checkbox'; box.checked = true;
    var swatch = html('span', undefined, label, 'swatch');
    swatch.style.background = nodeStyle[kind].colour;
    html('span', nodeStyle[kind].label + ' (' + count + ')', label);
    box.addEventListener('change', function () {
      nodeEls.forEach(function (g, id) { if (byId.get(id).kind === kind) g.classList.toggle('hidden', !box.checked); });
      edgeEls.forEach(function (x) {
        x.el.classList.toggle('hidden', nodeEls.get(x.edge.from).classList.contains('hidden') || nodeEls.get(x.edge.to).classList.contains('hidden'));
      });
      if (selected && nodeEls.get(selected).classList.contains('hidden')) select(null);
      applyFilter();
    });
  });
  var edgeLegend = $('legend-edges');
  [['solid', 'uses, runs, contains'], ['dashed', 'hands off: delegates, falls back, overrides']].forEach(function (row) {
    var li = html('li', undefined, edgeLegend), s = el('svg', { width: '28', height: '8' }, li);
    el('line', { x1: '0', y1: '4', x2: '28', y2: '4', class: 'legend-line ' + row[0] }, s);
    html('span', ' ' + row[1], li);
  });

  // start in the direction that shows the graph larger in this window
  function scaleIn(d) {
    var b = bounds(graph.nodes.map(function (n) { return n.id; }), place(ranked, d)), r = svg.getBoundingClientRect();
    return b ? Math.min((r.width - 40) / b.w, (r.height - 40) / b.h) : 1;
  }
  dir = scaleIn('TB') > scaleIn('LR') * 1.1 ? 'TB' : 'LR';
  position();
  applyFilter();
  fit();
  window.addEventListener('resize', function () { fit(); });
  document.body.setAttribute('data-ready', 'true');
})();
`;
