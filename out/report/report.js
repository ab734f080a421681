// The report's evaluator: the failure model's rules (MODEL.md) over the
// model the page embeds, so that any failure set can be explored offline.
// Inventory text only ever reaches the page through textContent.
(function () {
  "use strict";
  var UP = 0, DEGRADED = 1, DOWN = 2;
  var WORDS = ["up", "degraded", "down"];
  var model = JSON.parse(document.getElementById("blast-model").textContent);
  var N = model.nodes;
  var n = N.length;
  var byId = Object.create(null);
  var dependents = [];
  for (var v = 0; v < n; v++) {
    dependents.push([]);
    byId[N[v].id] = v;
  }
  N.forEach(function (node, v) {
    (node.groups || []).forEach(function (g) {
      g.m.forEach(function (x) { dependents[x].push(v); });
    });
    (node.place || []).forEach(function (p) { dependents[p[0]].push(v); });
    (node.via || []).forEach(function (x) { dependents[x].push(v); });
  });

  function groupVerdict(g, state) {
    var notDown = 0, up = 0;
    for (var i = 0; i < g.m.length; i++) {
      var s = state[g.m[i]];
      if (s !== DOWN) notDown++;
      if (s === UP) up++;
    }
    var verdict;
    if (notDown < g.k) verdict = DOWN;
    else if (up < g.k) verdict = DEGRADED;
    else return UP;
    return g.soft ? DEGRADED : verdict;
  }

  // replicas applies the quorum, failover and capacity rules.
  function replicas(v, state) {
    var node = N[v], act = 0, stby = 0;
    node.place.forEach(function (p) {
      if (state[p[0]] === DOWN) return;
      if (p[2]) stby += p[1]; else act += p[1];
    });
    var viaDown = (node.via || []).some(function (x) { return state[x] === DOWN; });
    var quorum = node.quorum || 0, cap = node.cap || 0;
    var counted = act, fo = "none";
    if (counted < quorum && stby > 0) {
      if (viaDown) fo = "blocked";
      else { counted += stby; fo = "done"; }
    }
    var s = UP;
    if (counted < quorum) s = DOWN;
    else if (fo === "done") s = DEGRADED;
    else if (cap > 0 && counted < cap) s = DEGRADED;
    return { state: s, counted: counted, failover: fo };
  }

  function compute(v, state, failed) {
    if (failed[v]) return DOWN;
    var node = N[v], s = UP;
    (node.groups || []).forEach(function (g) { s = Math.max(s, groupVerdict(g, state)); });
    if (node.place && node.place.length) s = Math.max(s, replicas(v, state).state);
    return s;
  }

  // evaluate computes the greatest fixpoint: everything up, the failed
  // nodes down, states only worsen, each change re-examines what needs
  // the node that changed.
  function evaluate(failedList) {
    var state = new Uint8Array(n), failed = new Uint8Array(n), queue = [];
    model.already.concat(failedList).forEach(function (v) {
      if (failed[v]) return;
      failed[v] = 1;
      state[v] = DOWN;
      queue.push(v);
    });
    while (queue.length) {
      var x = queue.pop();
      var ds = dependents[x];
      for (var i = 0; i < ds.length; i++) {
        var d = ds[i], s = compute(d, state, failed);
        if (s > state[d]) {
          state[d] = s;
          queue.push(d);
        }
      }
    }
    return { state: state, failed: failed };
  }

  function uniqSorted(a) {
    a.sort(function (x, y) { return x - y; });
    return a.filter(function (x, i) { return i === 0 || a[i - 1] !== x; });
  }

  // causes returns the direct causes of v's state, as the Go code does.
  function causes(r, v) {
    var s = r.state[v];
    if (s === UP || r.failed[v]) return [];
    var node = N[v], out = [];
    (node.groups || []).forEach(function (g) {
      if (groupVerdict(g, r.state) !== s) return;
      g.m.forEach(function (x) {
        if ((s === DOWN && r.state[x] === DOWN) || (s === DEGRADED && r.state[x] !== UP)) out.push(x);
      });
    });
    if (node.place && node.place.length) {
      var rep = replicas(v, r.state);
      if (rep.state === s) {
        node.place.forEach(function (p) {
          if (r.state[p[0]] !== DOWN) return;
          if (!p[2] || rep.failover !== "none" || rep.counted < (node.quorum || 0)) out.push(p[0]);
        });
        if (rep.failover === "blocked") {
          (node.via || []).forEach(function (x) { if (r.state[x] === DOWN) out.push(x); });
        }
      }
    }
    return uniqSorted(out);
  }

  // whyChains computes every affected node's shortest chain to a failed
  // node (breadth first from the failure set, frontiers in id order) and
  // returns why(v): v's chains through each direct cause, shortest first,
  // worked out once per node (the table and the diagram both ask).
  function whyChains(r) {
    var affected = [], cause = Object.create(null), rev = Object.create(null), failedList = [];
    for (var v = 0; v < n; v++) {
      if (r.state[v] === UP) continue;
      affected.push(v);
      if (r.failed[v]) { failedList.push(v); continue; }
      var cs = causes(r, v);
      cause[v] = cs;
      cs.forEach(function (c) { (rev[c] = rev[c] || []).push(v); });
    }
    var next = Object.create(null), reached = Object.create(null), frontier = failedList.slice();
    frontier.forEach(function (x) { reached[x] = true; });
    while (frontier.length) {
      var nf = [];
      frontier.forEach(function (c) {
        (rev[c] || []).forEach(function (x) {
          if (!reached[x]) { reached[x] = true; next[x] = c; nf.push(x); }
        });
      });
      nf.sort(function (a, b) { return a - b; });
      frontier = nf;
    }
    function chain(x) {
      var ch = [x];
      while (x in next && ch.length <= affected.length) { x = next[x]; ch.push(x); }
      return ch;
    }
    var memo = Object.create(null);
    return function why(x) {
      if (!(x in memo)) memo[x] = chainsOf(x);
      return memo[x];
    };
    function chainsOf(x) {
      if (r.state[x] === UP) return [];
      if (r.failed[x]) return [[x]];
      var chains = [];
      (cause[x] || []).forEach(function (c) {
        var ch = chain(c);
        if (ch.indexOf(x) >= 0) return;
        chains.push([x].concat(ch));
      });
      chains.sort(function (a, b) {
        if (a.length !== b.length) return a.length - b.length;
        for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
        return 0;
      });
      return chains;
    }
  }

  function toIndexes(ids) {
    return ids.map(function (id) {
      if (!(id in byId)) throw new Error("no such id: " + id);
      return byId[id];
    });
  }

  // blastEvaluate returns the state of every feature and service, and
  // their why-chains (as ids), after the failure of the given ids.
  function blastEvaluate(ids) {
    var r = evaluate(toIndexes(ids));
    var why = whyChains(r);
    var states = {}, chains = {};
    N.forEach(function (node, v) {
      if (node.kind === "component") return;
      states[node.id] = WORDS[r.state[v]];
      chains[node.id] = why(v).map(function (c) { return c.map(function (x) { return N[x].id; }); });
    });
    return { states: states, why: chains };
  }

  // --- the page ---

  var selected = Object.create(null);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(x) { return x.toLocaleString("en-US"); }

  function stateBadge(word) { return el("span", "state state-" + word, word.toUpperCase()); }

  function chainText(ch) {
    return ch.map(function (x) { return N[x].id; }).join(" \u2190 ");
  }

  function render() {
    var ids = Object.keys(selected).map(Number).sort(function (a, b) { return a - b; });
    var r = evaluate(ids), why = whyChains(r);
    var down = 0, deg = 0, usersDown = 0, usersDeg = 0;
    var frows = document.getElementById("feature-rows"), srows = document.getElementById("service-rows");
    frows.textContent = "";
    srows.textContent = "";
    var order = [];
    N.forEach(function (node, v) { if (node.kind !== "component") order.push(v); });
    order.sort(function (a, b) {
      var d = r.state[b] - r.state[a];
      if (d) return d;
      d = (N[b].users || 0) - (N[a].users || 0);
      if (d) return d;
      return N[a].id < N[b].id ? -1 : N[a].id > N[b].id ? 1 : 0;
    });
    order.forEach(function (v) {
      var node = N[v], word = r.failed[v] ? "failed" : WORDS[r.state[v]];
      if (node.kind === "feature") {
        if (r.state[v] === DOWN) { down++; usersDown += node.users || 0; }
        if (r.state[v] === DEGRADED) { deg++; usersDeg += node.users || 0; }
      }
      var tr = el("tr", "row-" + WORDS[r.state[v]]);
      tr.setAttribute("data-id", node.id);
      tr.setAttribute("data-state", WORDS[r.state[v]]);
      var name = el("td");
      name.appendChild(el("span", "name", node.name));
      if (node.name !== node.id) { name.appendChild(document.createTextNode(" ")); name.appendChild(el("code", "", node.id)); }
      tr.appendChild(name);
      var st = el("td");
      st.appendChild(stateBadge(word));
      tr.appendChild(st);
      if (node.kind === "feature") tr.appendChild(el("td", "num", fmt(node.users || 0)));
      var w = el("td", "why");
      why(v).slice(0, 3).forEach(function (ch) { w.appendChild(el("div", "", chainText(ch))); });
      tr.appendChild(w);
      (node.kind === "feature" ? frows : srows).appendChild(tr);
    });
    var names = ids.map(function (v) { return N[v].id; });
    document.getElementById("outcome-summary").textContent = ids.length === 0 && model.already.length === 0
      ? "Nothing failed: pick failure domains on the left, or click one in the diagram."
      : "Failed: " + (names.length ? names.join(", ") : "(only what the inventory marks failed)") + " \u2014 " +
        down + " features down (" + fmt(usersDown) + " users), " + deg + " degraded (" + fmt(usersDeg) + " users).";
    colourDiagram(r, why);
    document.querySelectorAll("#picker input[type=checkbox]").forEach(function (box) {
      box.checked = !!selected[box.value];
    });
  }

  // The diagram's edges by their ends: Graphviz keeps the ids
  // e_nFROM_nTO_KIND the DOT gives them. drawnNodes are the ids of the
  // nodes drawn (collapsed components are drawn as an ancestor).
  var edgesByEnds = null, drawnNodes = null;
  function indexDiagram(svg) {
    edgesByEnds = Object.create(null);
    drawnNodes = Object.create(null);
    svg.querySelectorAll("g.edge").forEach(function (g) {
      var m = /^e_n(\d+)_n(\d+)_/.exec(g.id || "");
      if (m) (edgesByEnds[m[1] + "_" + m[2]] = edgesByEnds[m[1] + "_" + m[2]] || []).push(g);
    });
    svg.querySelectorAll("g.node").forEach(function (g) {
      var m = /^n(\d+)$/.exec(g.id || "");
      if (m) drawnNodes[m[1]] = true;
    });
  }

  // drawnAs returns the node that stands for v in the diagram: v, or its
  // nearest drawn ancestor in the physical tree; -1 when none is drawn.
  function drawnAs(v) {
    for (var x = v, i = 0; x >= 0 && i < n; x = N[x].parent, i++) {
      if (drawnNodes[x]) return x;
      if (N[x].kind !== "component") break;
    }
    return -1;
  }

  // markWhy draws bold the diagram's edges on the why-chains of every
  // feature that is not up.
  function markWhy(svg, r, why) {
    svg.querySelectorAll("g.edge.why").forEach(function (g) { g.classList.remove("why"); });
    for (var v = 0; v < n; v++) {
      if (N[v].kind !== "feature" || r.state[v] === UP) continue;
      why(v).forEach(function (ch) {
        for (var i = 0; i + 1 < ch.length; i++) {
          var a = drawnAs(ch[i]), b = drawnAs(ch[i + 1]);
          if (a < 0 || b < 0 || a === b) continue;
          (edgesByEnds[a + "_" + b] || []).forEach(function (g) { g.classList.add("why"); });
        }
      });
    }
  }

  function colourDiagram(r, why) {
    var svg = document.querySelector(".diagram svg");
    if (!svg) return;
    if (!edgesByEnds) indexDiagram(svg);
    markWhy(svg, r, why);
    svg.querySelectorAll("g.st-down, g.st-degraded, g.st-failed").forEach(function (g) {
      g.classList.remove("st-down", "st-degraded", "st-failed");
    });
    for (var v = 0; v < n; v++) {
      if (r.state[v] === UP) continue;
      var cls = r.failed[v] ? "st-failed" : r.state[v] === DOWN ? "st-down" : "st-degraded";
      [document.getElementById("n" + v), document.getElementById("cluster_n" + v)].forEach(function (g) {
        if (g && svg.contains(g)) g.classList.add(cls);
      });
    }
  }

  function select(ids) {
    selected = Object.create(null);
    toIndexes(ids).forEach(function (v) { selected[v] = true; });
    render();
  }

  function toggle(v) {
    if (selected[v]) delete selected[v]; else selected[v] = true;
    render();
  }

  function buildPicker() {
    var list = document.getElementById("domain-list");
    var kinds = [], byKind = Object.create(null);
    N.forEach(function (node, v) {
      var k = node.kind === "component" ? node.ckind : node.kind === "service" ? "service (software failure)" : null;
      if (k === null) return;
      if (!(k in byKind)) { byKind[k] = []; kinds.push(k); }
      byKind[k].push(v);
    });
    var rank = function (k) {
      var i = ["region", "site", "building", "room", "power", "network", "rack", "host"].indexOf(k);
      return k.indexOf("service") === 0 ? 100 : i < 0 ? 50 : i;
    };
    kinds.sort(function (a, b) { return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); });
    kinds.forEach(function (k) {
      var fs = el("fieldset");
      fs.appendChild(el("legend", "", k));
      byKind[k].forEach(function (v) {
        var label = el("label");
        label.setAttribute("data-id", N[v].id);
        var box = el("input");
        box.type = "checkbox";
        box.value = String(v);
        box.addEventListener("change", function () { toggle(v); });
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + N[v].name + (N[v].name !== N[v].id ? " (" + N[v].id + ")" : "")));
        fs.appendChild(label);
      });
      list.appendChild(fs);
    });
    document.getElementById("domain-filter").addEventListener("input", function (e) {
      var q = e.target.value.toLowerCase();
      list.querySelectorAll("label").forEach(function (l) {
        l.style.display = l.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
    document.getElementById("clear").addEventListener("click", function () { select([]); });
  }

  function wireDiagram() {
    var svg = document.querySelector(".diagram svg");
    if (!svg) return;
    svg.addEventListener("click", function (e) {
      for (var t = e.target; t && t !== svg; t = t.parentNode) {
        var m = /^(?:cluster_)?n(\d+)$/.exec(t.id || "");
        if (m) {
          var v = Number(m[1]);
          if (v < n && N[v].kind !== "feature") toggle(v);
          return;
        }
      }
    });
  }

  window.blastEvaluate = blastEvaluate;
  window.blastSelect = function (ids) { select(ids); };
  buildPicker();
  wireDiagram();
  model.initial.forEach(function (v) { selected[v] = true; });
  render();
})();
