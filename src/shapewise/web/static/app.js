// shapewise page: the editor, the drawing of the report the server sends, the explanations and the what-if.
// Every number shown comes from the server's JSON (the same as `shapewise explain --format json`); this file
// formats and lays out, it never computes a shape or a count.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const textarea = $("source"), backdrop = $("backdrop"), gutter = $("gutter");
  const state = {
    seq: 0,            // the number of the latest explain request sent
    controller: null,  // its AbortController
    timer: 0,
    result: null,      // the report drawn now, and the source it is for
    source: "",
    errorLine: null,
    modelIndex: 0,
    whatifSeq: 0,
    selected: null,
  };
  const layerData = new WeakMap();  // layer element -> {layer, model}

  // ------------------------------------------------------------------------------------------- formatting

  function fmtInt(n) {
    if (n === null || n === undefined) return "?";
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");  // 12416 -> 12,416, as Keras prints counts
  }

  function fmtShape(s) {
    // (None, 10, 64) as Keras prints a shape; a list of shapes (several inputs or outputs) as [(..), (..)]
    if (s === null || s === undefined) return "?";
    if (!Array.isArray(s)) return String(s);
    if (s.some(Array.isArray)) return "[" + s.map((x) => (x === null ? "-" : fmtShape(x))).join(", ") + "]";
    const dims = s.map((d) => (d === null ? "None" : String(d)));
    return "(" + dims.join(", ") + (dims.length === 1 ? ",)" : ")");
  }

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // ----------------------------------------------------------------------------------------------- editor

  const KEYWORDS = new Set(("False None True and as assert async await break class continue def del elif else " +
    "except finally for from global if import in is lambda nonlocal not or pass raise return try while with " +
    "yield").split(" "));
  const TOKEN = /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|[rbfuRBFU]{0,2}"(?:\\.|[^"\\\n])*"?|[rbfuRBFU]{0,2}'(?:\\.|[^'\\\n])*'?)|\b(\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)\b|\b([A-Za-z_][A-Za-z_0-9]*)\b/g;

  function tokens(text) {
    // [text, class] segments: comments, strings, numbers, keywords, and plain text between them
    const out = [];
    let last = 0;
    for (const m of text.matchAll(TOKEN)) {
      let cls = m[1] ? "tok-com" : m[2] ? "tok-str" : m[3] ? "tok-num" : KEYWORDS.has(m[4]) ? "tok-kw" : null;
      if (!cls) continue;
      if (m.index > last) out.push([text.slice(last, m.index), null]);
      out.push([m[0], cls]);
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push([text.slice(last), null]);
    return out;
  }

  function renderEditor() {
    const text = textarea.value;
    const lines = [[]];
    for (const [seg, cls] of tokens(text)) {
      const parts = seg.split("\n");
      parts.forEach((part, i) => {
        if (i > 0) lines.push([]);
        if (part) lines[lines.length - 1].push(cls ? h("span", {class: cls}, part) : document.createTextNode(part));
      });
    }
    const frag = document.createDocumentFragment();
    lines.forEach((parts, i) => {
      const line = i + 1 === state.errorLine ? h("span", {class: "hl", "data-error-line": String(i + 1)}, parts)
        : h("span", {}, parts);
      if (i) frag.append("\n");
      frag.append(line.childNodes.length || line.className ? line : "");
    });
    frag.append("\n ");
    backdrop.replaceChildren(frag);
    const numbers = document.createDocumentFragment();
    for (let i = 1; i <= lines.length; i++) {
      numbers.append(i === state.errorLine ? h("span", {class: "err"}, String(i)) : String(i), "\n");
    }
    gutter.replaceChildren(numbers);
    syncScroll();
  }

  function syncScroll() {
    backdrop.scrollTop = textarea.scrollTop;
    backdrop.scrollLeft = textarea.scrollLeft;
    gutter.scrollTop = textarea.scrollTop;
  }

  function setSource(text) {
    textarea.value = text;
    state.errorLine = null;
    renderEditor();
    explainSoon(0);
  }

  // ------------------------------------------------------------------------------------------- requests

  function setStatus(text, busy) {
    const s = $("status");
    s.textContent = text;
    s.classList.toggle("busy", !!busy);
  }

  async function postJSON(path, body, signal) {
    const resp = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body), signal});
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    return {status: resp.status, data};
  }

  function explainSoon(delay) {
    document.body.dataset.state = "pending";  // "ready" once the answer for the code now in the editor is drawn
    clearTimeout(state.timer);
    state.timer = setTimeout(explainNow, delay);
  }

  async function explainNow() {
    const source = textarea.value;
    const seq = ++state.seq;
    if (state.controller) state.controller.abort();
    const controller = state.controller = new AbortController();
    setStatus("explaining…", true);
    let answer;
    try {
      answer = await postJSON("/api/explain", {source}, controller.signal);
    } catch (e) {
      if (seq === state.seq && e.name !== "AbortError") setStatus("the shapewise server does not answer: is it still running?");
      return;
    }
    if (seq !== state.seq || textarea.value !== source) return;  // a stale answer is never drawn over a newer one
    state.controller = null;
    document.body.dataset.state = "ready";
    const data = answer.data;
    if (answer.status !== 200 || !data || data.schema !== "shapewise/1") {
      const message = data && data.error && data.error.message ? data.error.message : `HTTP ${answer.status}`;
      showFailure(message);
      return;
    }
    draw(data, source);
  }

  // -------------------------------------------------------------------------------------------- drawing

  function draw(report, source) {
    state.result = report;
    state.source = source;
    state.selected = null;
    const messages = $("messages"), models = $("models");
    messages.replaceChildren();
    models.replaceChildren();
    $("whatif-result").replaceChildren();
    const error = report.error;
    state.errorLine = error && error.line ? error.line : null;
    renderEditor();
    if (error) messages.append(errorBlock(error));
    if (report.printed && report.printed.length) {
      messages.append(h("div", {class: "printed"}, h("h2", {text: "Printed"}),
        report.printed.map((p) => h("pre", {text: p}))));
    }
    if (report.skipped && report.skipped.length) {
      messages.append(h("details", {class: "skipped"}, h("summary", {},
        `${report.skipped.length} line${report.skipped.length === 1 ? "" : "s"} skipped (nothing to do with the model)`),
        h("ul", {}, report.skipped.map((s) => h("li", {}, `line ${s.line}: ${s.reason}`)))));
    }
    if (error) {
      // the models built before the error are not a result: nothing is drawn
      setStatus(`${errorTitle(error)}${error.line ? " at line " + error.line : ""}`);
      $("whatif").hidden = true;
      resetExplanation();
      return;
    }
    report.models.forEach((m, i) => models.append(drawModel(m, i)));
    const n = report.models.length;
    setStatus(`${n} model${n === 1 ? "" : "s"}: ` + report.models.map((m) => `${m.name} (${fmtInt(m.total_params)} params)`).join(", "));
    state.modelIndex = Math.min(state.modelIndex, Math.max(0, n - 1));
    renderWhatIf();
    resetExplanation();
    redrawEdges();
  }

  function errorTitle(error) {
    if (error.kind === "RefusedError") return "Not interpreted";
    if (error.kind === "UsageError") return "Nothing to explain";
    return "Shape error";
  }

  function errorBlock(error) {
    const lines = [];
    const where = [];
    if (error.layer) where.push(`layer '${error.layer}'` + (error.type ? ` (${error.type})` : ""));
    if (error.line) where.push(`line ${error.line}`);
    lines.push((where.length ? where.join(", ") + ": " : "") + error.message);
    if (error.got !== null && error.got !== undefined) {
      lines.push(`got:      ${fmtShape(error.got)}` + (error.input_from ? `  (from ${error.input_from})` : ""));
    }
    if (error.expected) lines.push(`expected: ${error.expected}`);
    if (error.fix) lines.push(`fix:      ${error.fix}`);
    return h("div", {class: "error", role: "alert", "data-error": true},
      h("h2", {}, errorTitle(error) + (error.line ? ` at line ${error.line}` : "")),
      h("pre", {text: lines.join("\n")}));
  }

  function showFailure(message) {
    $("messages").replaceChildren(h("div", {class: "error", role: "alert"}, h("h2", {text: "No answer"}),
      h("pre", {text: message})));
    $("models").replaceChildren();
    $("whatif").hidden = true;
    setStatus(message);
  }

  function drawModel(model, index) {
    const torch = model.framework === "torch";
    const totals = `Total params: ${fmtInt(model.total_params)} · Trainable: ${fmtInt(model.trainable_params)} · ` +
      `Non-trainable: ${fmtInt(model.non_trainable_params)}` + (torch && model.buffers ? ` · Buffers: ${fmtInt(model.buffers)}` : "");
    return h("section", {class: "model", "data-model": model.name, "data-model-index": String(index)},
      h("h2", {}, h("code", {}, model.name), " ", h("span", {class: "type"}, `(${model.type})`)),
      h("p", {class: "totals"}, totals),
      torch ? drawTree(model) : drawGraph(model));
  }

  function layerBox(layer, model) {
    const share = h("div", {class: "share" + (layer.params ? "" : " zero"),
      title: `${fmtInt(layer.params)} of the model's ${fmtInt(model.total_params)} parameters`}, h("span"));
    if (model.total_params > 0) share.firstChild.style.width = (100 * layer.params / model.total_params) + "%";
    const box = h("div", {class: "layer", "data-layer": layer.name, role: "button", tabindex: "0",
      "aria-label": `${layer.name} (${layer.type}), output ${fmtShape(layer.output_shape)}, ${fmtInt(layer.params)} parameters`},
      h("div", {class: "title"}, h("span", {class: "name"}, layer.name), h("span", {class: "type"}, layer.type)),
      h("div", {class: "meta"}, h("span", {class: "shape"}, fmtShape(layer.output_shape)),
        h("span", {class: "params"}, h("b", {}, fmtInt(layer.params)), " params")),
      share);
    layerData.set(box, {layer, model});
    if (layer.model) box.append(nestedToggle(layer.model));
    return box;
  }

  function nestedToggle(inner) {
    const body = h("div", {class: "inner", hidden: true});
    const button = h("button", {class: "toggle", type: "button", "aria-expanded": "false"},
      `▸ ${inner.layers.length} layers inside`);
    button.addEventListener("click", (ev) => {
      ev.stopPropagation();
      const open = body.hidden;
      body.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = `${open ? "▾" : "▸"} ${inner.layers.length} layers inside`;
      if (open && !body.firstChild) body.append(inner.framework === "torch" ? drawTree(inner) : drawGraph(inner));
      redrawEdges();
    });
    button.addEventListener("keydown", (ev) => ev.stopPropagation());
    return h("div", {class: "nested"}, button, body);
  }

  function baseName(connection) {
    return connection.replace(/\[\d+\]\[\d+\]$/, "");
  }

  function drawGraph(model) {
    // Layers in rows by their longest distance from an input; an edge from each inbound layer, labelled with the
    // shape it carries. A model whose JSON has no "connected_to" is a chain (Keras draws it as one).
    const layers = model.layers;
    const byName = new Map(layers.map((l) => [l.name, l]));
    const chain = !layers.some((l) => Array.isArray(l.connected_to));
    const inbound = new Map();
    layers.forEach((l, i) => {
      let names = chain ? (i ? [layers[i - 1].name] : []) : (l.connected_to || []).map(baseName);
      names = [...new Set(names)].filter((n) => n !== l.name && byName.has(n));
      inbound.set(l.name, names);
    });
    const rank = new Map();
    const visiting = new Set();
    const rankOf = (name) => {
      if (rank.has(name)) return rank.get(name);
      if (visiting.has(name)) return 0;  // a shared layer feeding itself: no cycle in the drawing
      visiting.add(name);
      let r = 0;
      for (const src of inbound.get(name)) r = Math.max(r, rankOf(src) + 1);
      visiting.delete(name);
      rank.set(name, r);
      return r;
    };
    const rows = [];
    for (const l of layers) {
      const r = rankOf(l.name);
      (rows[r] = rows[r] || []).push(l);
    }
    const graph = h("div", {class: "graph"});
    const boxes = new Map();
    const first = layers[0];
    let entry = null;
    if (model.type === "Sequential" && first && first.type !== "InputLayer" && first.input_shape) {
      // a Sequential lists no InputLayer: its input is drawn as a plain label, not a layer
      entry = h("div", {class: "row"}, h("div", {class: "layer input-pill", title: "the model's input"},
        h("div", {class: "meta"}, h("span", {class: "type"}, "input"), h("span", {class: "shape"}, fmtShape(first.input_shape)))));
      graph.append(entry);
    }
    for (const row of rows) {
      if (!row) continue;
      graph.append(h("div", {class: "row"}, row.map((l) => {
        const box = layerBox(l, model);
        boxes.set(l.name, box);
        return box;
      })));
    }
    const edges = [];
    if (entry && first) edges.push({from: entry.firstChild, to: boxes.get(first.name), label: null});
    for (const l of layers) {
      for (const src of inbound.get(l.name)) {
        edges.push({from: boxes.get(src), to: boxes.get(l.name), label: fmtShape(byName.get(src).output_shape)});
      }
    }
    graphs.set(graph, edges);
    return graph;
  }

  function drawTree(model) {
    // PyTorch: named_modules() order with a depth each; a module's children follow it, one level deeper
    const root = h("div", {class: "tree"});
    const stack = [{depth: 0, el: root}];
    for (const layer of model.layers) {
      const depth = layer.depth || 1;
      while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
      const box = layerBox(layer, model);
      const group = h("div", {class: "torch-module"}, box);
      const parent = stack[stack.length - 1].el;
      if (parent !== root) parent.classList.add("torch-group");  // a module with children: drawn as a group
      parent.append(group);
      stack.push({depth, el: group});
    }
    return root;
  }

  // The edges of each drawn graph, drawn (again) whenever the layout changes size.
  const graphs = new Map();
  let edgeFrame = 0;

  function redrawEdges() {
    cancelAnimationFrame(edgeFrame);
    edgeFrame = requestAnimationFrame(() => {
      for (const [graph, edges] of graphs) {
        if (!graph.isConnected) { graphs.delete(graph); continue; }
        drawEdges(graph, edges);
      }
    });
  }

  const SVG = "http://www.w3.org/2000/svg";
  const svgEl = (tag, attrs) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    return el;
  };
  let markerCount = 0;

  function drawEdges(graph, edges) {
    const old = graph.querySelector(":scope > svg.edges");
    if (old) old.remove();
    if (!graph.offsetParent) return;  // hidden (a collapsed nested model)
    const base = graph.getBoundingClientRect();
    const svg = svgEl("svg", {class: "edges", width: String(graph.scrollWidth), height: String(graph.scrollHeight),
      "aria-hidden": "true"});
    const id = `sw-arrow-${++markerCount}`;
    const marker = svgEl("marker", {id, viewBox: "0 0 8 8", refX: "7", refY: "4", markerWidth: "7", markerHeight: "7",
      orient: "auto-start-reverse"});
    marker.append(svgEl("path", {d: "M0,0 L8,4 L0,8 z", class: "arrow"}));
    const defs = svgEl("defs");
    defs.append(marker);
    svg.append(defs);
    const labelled = new Set();
    let lane = 0;
    const right = base.width;
    for (const e of edges) {
      if (!e.from || !e.to) continue;
      const a = e.from.getBoundingClientRect(), b = e.to.getBoundingClientRect();
      const sx = a.left + a.width / 2 - base.left, sy = a.bottom - base.top;
      const tx = b.left + b.width / 2 - base.left, ty = b.top - base.top;
      const gap = ty - sy;
      let d;
      if (gap > 0 && gap < 60) {
        const m = (sy + ty) / 2;
        d = `M${sx},${sy} C${sx},${m} ${tx},${m} ${tx},${ty - 1}`;
      } else {
        // a skip over other rows: around the right side, in one of a few lanes
        const x = Math.max(a.right, b.right) - base.left + 14 + 7 * (lane++ % 5);
        const y1 = a.top + a.height / 2 - base.top, y2 = b.top + b.height / 2 - base.top;
        const x1 = a.right - base.left, x2 = b.right - base.left;
        d = `M${x1},${y1} C${x},${y1} ${x},${y1} ${x},${y1 + 12} L${x},${y2 - 12} C${x},${y2} ${x},${y2} ${x2 + 1},${y2}`;
      }
      svg.append(svgEl("path", {d, class: "edge", "marker-end": `url(#${id})`}));
      if (e.label && !labelled.has(e.from)) {
        labelled.add(e.from);
        const t = svgEl("text", {x: String(sx + 6), y: String(sy + 15), class: "edge-label"});
        t.textContent = e.label;
        svg.append(t);
      }
    }
    void right;
    graph.prepend(svg);
  }

  // ---------------------------------------------------------------------------------------- explanation

  function resetExplanation() {
    $("explanation").replaceChildren(h("p", {class: "hint"},
      "Click a layer (or focus it and press Enter) to see why it has its shape and parameters."));
  }

  function select(box) {
    const info = layerData.get(box);
    if (!info) return;
    document.querySelectorAll(".layer.selected").forEach((el) => el.classList.remove("selected"));
    box.classList.add("selected");
    state.selected = info.layer.name;
    showExplanation(info.layer, info.model);
    const panel = $("explanation"), rect = panel.getBoundingClientRect();
    if (rect.top > window.innerHeight || rect.bottom < 0) panel.scrollIntoView({block: "nearest"});  // narrow screens
  }

  function weightRows(layer) {
    // each weight: its shape in names, in numbers, and its size ("features × 4·units = 64 × 128 = 8,192")
    return layer.weights.map((w) => {
      const numbers = w.shape.length ? w.shape.join(" × ") : "scalar";
      // (a PyTorch report gives no size and no formula per weight: only what is there is shown)
      const size = typeof w.size === "number" ? fmtInt(w.size) : null;
      const parts = [w.formula, numbers, size].filter((x, i, all) => x && all.indexOf(x) === i);
      return h("tr", {},
        h("td", {}, h("code", {}, (w.sublayer ? w.sublayer + "/" : "") + w.name),
          w.trainable ? null : h("span", {class: "tag", title: "not trainable"}, "frozen"),
          w.same_as ? h("div", {class: "hint"}, `same tensor as ${w.same_as}`) : null),
        h("td", {}, h("code", {}, parts.join(" = "))));
    });
  }

  function showExplanation(layer, model) {
    const ex = layer.explanation;
    const panel = $("explanation");
    const items = [];
    if (ex) {
      items.push(h("dt", {}, "Shape"), h("dd", {}, ex.shape));
      for (const line of ex.derived || []) items.push(h("dd", {}, h("code", {}, line)));
    }
    if (layer.weights && layer.weights.length) {
      items.push(h("dt", {}, "Weights"), h("dd", {}, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "weight"), h("th", {}, "shape = size"))),
        h("tbody", {}, weightRows(layer)))));
    }
    items.push(h("dt", {}, "Parameters"),
      h("dd", {}, h("b", {}, fmtInt(layer.params)), ` (trainable ${fmtInt(layer.trainable)}, non-trainable ${fmtInt(layer.non_trainable)})`));
    if (ex && ex.params) items.push(h("dd", {class: "params-text"}, ex.params));
    if (ex && ex.formula) items.push(h("dd", {}, "formula: ", h("code", {"data-formula": true}, ex.formula)));
    if (ex) {
      const free = ex.free_dims || [];
      items.push(h("dt", {}, "Free dimensions"),
        h("dd", {}, free.length ? free.map((d) => h("span", {class: "tag"}, d)) : "none besides batch",
          ex.free ? h("div", {}, ex.free) : null));
      if (ex.units) items.push(h("dt", {}, "What each unit sees"), h("dd", {}, ex.units));
    }
    if (layer.buffers && layer.buffers.length) {
      items.push(h("dt", {}, "Buffers"), h("dd", {}, layer.buffers.map((b) =>
        h("div", {}, h("code", {}, b.name), " ", h("code", {}, fmtShape(b.shape))))));
    }
    if (layer.calls !== undefined && layer.calls !== 1) items.push(h("dt", {}, "Calls"), h("dd", {}, String(layer.calls)));
    if (layer.connected_to && layer.connected_to.length) {
      items.push(h("dt", {}, "Connected to"), h("dd", {}, h("code", {}, layer.connected_to.join(", "))));
    }
    if (layer.model) {
      const inner = layer.model;
      items.push(h("dt", {}, "Nested model"), h("dd", {},
        `${inner.layers.length} layers, ${fmtInt(inner.total_params)} params (trainable ${fmtInt(inner.trainable_params)}, ` +
        `non-trainable ${fmtInt(inner.non_trainable_params)}); expand it in the drawing to see each layer.`));
    }
    panel.replaceChildren(
      h("h2", {}, h("code", {}, layer.name), " ", h("span", {class: "type"}, `(${layer.type})`)),
      h("p", {class: "ex-head"}, fmtShape(layer.input_shape), h("span", {class: "arrow-text"}, " → "),
        fmtShape(layer.output_shape)),
      h("dl", {class: "ex"}, items));
  }

  // -------------------------------------------------------------------------------------------- what if

  function renderWhatIf() {
    const report = state.result;
    const box = $("whatif"), dims = $("whatif-dims");
    const models = report ? report.models : [];
    const dimsOf = (m) => (m.input_dims || []);
    if (!models.some((m) => dimsOf(m).length)) { box.hidden = true; return; }
    box.hidden = false;
    dims.replaceChildren();
    if (models.length > 1) {
      const select = h("select", {id: "whatif-model", "aria-label": "model"},
        models.map((m, i) => h("option", {value: String(i), selected: i === state.modelIndex}, `${m.name} (model ${i + 1})`)));
      select.addEventListener("change", () => { state.modelIndex = Number(select.value); renderWhatIf(); });
      dims.append(h("label", {}, "model", select));
    }
    const model = models[state.modelIndex];
    for (const d of dimsOf(model)) {
      const note = d.affects_params === false ? "params do not depend on it"
        : d.affects_params ? "sets a weight's size" : "";
      dims.append(h("label", {title: d.because || note},
        `${d.name} (${d.input}, axis ${d.axis})`,
        h("input", {type: "number", min: "1", max: "1000000", value: String(d.size), "data-input": d.input,
          "data-axis": String(d.axis), "data-size": String(d.size), "aria-label": `${d.name}: ${note}`}),
        note));
    }
  }

  async function runWhatIf(ev) {
    ev.preventDefault();
    const out = $("whatif-result");
    const changes = [];
    for (const input of $("whatif-dims").querySelectorAll("input[data-input]")) {
      const size = Number(input.value);
      if (!Number.isInteger(size) || size < 1) {
        out.replaceChildren(h("p", {class: "err"}, `${input.value || "(empty)"} is not a size: use a whole number from 1`));
        return;
      }
      if (String(size) !== input.dataset.size) changes.push({input: input.dataset.input, axis: Number(input.dataset.axis), size});
    }
    if (!changes.length) { out.replaceChildren(h("p", {class: "hint"}, "Change one of the numbers first.")); return; }
    const seq = ++state.whatifSeq, source = state.source, model = state.modelIndex;
    out.replaceChildren(h("p", {class: "hint"}, "comparing…"));
    out.dataset.state = "busy";
    let answer;
    try {
      answer = await postJSON("/api/whatif", {source, model, changes});
    } catch (e) {
      if (seq === state.whatifSeq) out.replaceChildren(h("p", {class: "err"}, "the shapewise server does not answer"));
      return;
    }
    if (seq !== state.whatifSeq || source !== state.source) return;  // stale: the code changed meanwhile
    out.dataset.state = "ready";
    const data = answer.data;
    if (!data || data.error || answer.status !== 200) {
      const message = data && data.error ? data.error.message : `HTTP ${answer.status}`;
      out.replaceChildren(h("p", {class: "err"}, message));
      return;
    }
    out.replaceChildren(compare(data));
    out.scrollIntoView({block: "nearest"});
  }

  function compare(data) {
    const i = data.model;
    const before = data.before.models[i], after = data.after.models[i];
    const frag = h("div", {});
    frag.append(h("h2", {}, "What if…"));
    frag.append(h("p", {}, data.edits.map((e) => h("span", {class: "tag"}, `line ${e.line}: ${e.old} → ${e.new}`)), " "));
    if (data.after.error || !after) {
      frag.append(h("p", {class: "err"}, "With that change the code no longer builds:"), errorBlock(data.after.error));
      return frag;
    }
    const same = before.total_params === after.total_params;
    frag.append(h("p", {class: "verdict", "data-verdict": same ? "same" : "changed"},
      h("b", {}, same ? "The parameter count does not change: " : "The parameter count changes: "),
      `${fmtInt(before.total_params)} → ${fmtInt(after.total_params)}`));
    const afterByName = new Map(after.layers.map((l) => [l.name, l]));
    const rows = before.layers.map((b) => {
      const a = afterByName.get(b.name);
      const diff = (before, after, cls) => before === after
        ? h("td", {class: `diff ${cls} same`}, before)
        : h("td", {class: `diff ${cls} changed`}, h("span", {}, before), h("span", {}, `→ ${after}`));
      const inB = fmtShape(b.input_shape), inA = a ? fmtShape(a.input_shape) : "(gone)";
      const outB = fmtShape(b.output_shape), outA = a ? fmtShape(a.output_shape) : "(gone)";
      const parB = fmtInt(b.params), parA = a ? fmtInt(a.params) : "(gone)";
      const changed = inB !== inA || outB !== outA || parB !== parA;
      return h("tr", {class: changed ? "changed" : "same", "data-layer-row": b.name},
        h("td", {}, h("code", {}, b.name)), diff(inB, inA, "mono"), diff(outB, outA, "mono"), diff(parB, parA, "n"));
    });
    frag.append(h("div", {class: "scroll"}, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "layer"),
      h("th", {}, "input shape"), h("th", {}, "output shape"), h("th", {class: "n"}, "params"))),
      h("tbody", {}, rows))));
    frag.append(h("p", {}, h("button", {type: "button", onclick: () => setSource(data.source)}, "Use this code")));
    return frag;
  }

  // ------------------------------------------------------------------------------------------------ wiring

  textarea.addEventListener("input", () => {
    state.errorLine = null;
    $("whatif-result").replaceChildren();
    renderEditor();
    explainSoon(300);
  });
  textarea.addEventListener("scroll", syncScroll);
  $("whatif-form").addEventListener("submit", runWhatIf);
  $("models").addEventListener("click", (ev) => {
    const box = ev.target.closest(".layer[data-layer]");
    if (box) { ev.stopPropagation(); select(box); }
  });
  $("models").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" && ev.key !== " ") return;
    const box = ev.target.closest(".layer[data-layer]");
    if (box && box === ev.target) { ev.preventDefault(); select(box); }
  });
  new ResizeObserver(redrawEdges).observe($("models"));

  fetch("/static/examples.json").then((r) => r.json()).then((examples) => {
    const nav = $("examples");
    for (const ex of examples) {
      nav.append(h("button", {type: "button", "data-example": ex.title, onclick: () => setSource(ex.source)}, ex.title));
    }
    if (!textarea.value) setSource(examples[0].source);
  }).catch(() => setStatus("could not load the examples"));
  renderEditor();
})();
