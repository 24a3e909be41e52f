// Live updates over server-sent events (no inline script: the page's CSP allows only 'self').
//  - [data-live-stream]: the ceremony's live page and the results as announced. Every (re)connection starts
//    with the full state of what has been presented; each reveal then arrives as one line. A gap in the
//    count or a "resync" message reconnects, which re-syncs.
//  - [data-board-stream]: the chief judge's board reloads (through htmx) when a sheet is saved or submitted.
(function () {
  "use strict";

  // The page's words, in its language: the data-t-* attributes of its [data-live-words] element (English when absent),
  // with {name} placeholders filled here.
  var words = {
    number: "No. {number}",
    photo: "Car {number}, {title}",
    one: "{count} award presented",
    many: "{count} awards presented",
    none: "The ceremony will begin shortly."
  };
  function say(key, values) {
    return words[key].replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function listLine(line) {
    var li = el("li");
    li.setAttribute("data-line", String(line.id));
    li.appendChild(el("strong", "", line.award));
    if (line.chosen_by) li.appendChild(el("small", "", " (" + line.chosen_by + ")"));
    li.appendChild(document.createTextNode(" — "));
    var a = el("a", "", say("number", { number: line.car_number }) + " " + line.title);
    a.href = line.car_url;
    li.appendChild(a);
    if (line.owner) li.appendChild(document.createTextNode(", " + line.owner));
    return li;
  }

  function currentLine(box, line) {
    box.textContent = "";
    var fig = el("figure", "live-photo");
    if (line.photo_url) {
      var img = el("img");
      img.src = line.photo_url;
      img.alt = say("photo", { number: line.car_number, title: line.title });
      fig.appendChild(img);
    }
    box.appendChild(fig);
    var text = el("div", "live-text");
    text.appendChild(el("p", "live-award", line.award));
    if (line.chosen_by) text.appendChild(el("p", "live-chosen", line.chosen_by));
    var car = el("p", "live-car");
    car.appendChild(el("span", "live-number", say("number", { number: line.car_number })));
    car.appendChild(document.createTextNode(" " + line.title));
    text.appendChild(car);
    if (line.coachbuilder) text.appendChild(el("p", "live-coach", line.coachbuilder));
    if (line.owner) text.appendChild(el("p", "live-owner", line.owner));
    box.appendChild(text);
  }

  function startLive(root) {
    var url = root.getAttribute("data-live-stream");
    var current = document.getElementById("live-current");
    var list = document.getElementById("live-list");
    var status = document.getElementById("live-status");
    var ascending = root.getAttribute("data-order") === "asc";
    var given = root.querySelector("[data-live-words]");
    Object.keys(words).forEach(function (key) {
      var text = given && given.getAttribute("data-t-" + key);
      if (text) words[key] = text;
    });
    var lines = [];
    var source = null;

    function render() {
      if (current) {
        if (lines.length) currentLine(current, lines[lines.length - 1]);
        else current.textContent = "";
      }
      if (list) {
        list.textContent = "";
        var shown = current ? lines.slice(0, -1) : lines.slice();
        if (!ascending) shown.reverse();
        shown.forEach(function (line) { list.appendChild(listLine(line)); });
      }
      if (status) {
        status.textContent = lines.length
          ? say(lines.length === 1 ? "one" : "many", { count: lines.length })
          : say("none");
      }
      root.setAttribute("data-count", String(lines.length));
    }

    function connect() {
      if (source) source.close();
      source = new EventSource(url);
      source.addEventListener("state", function (e) {
        var state = JSON.parse(e.data);
        lines = state.lines;
        render();
      });
      source.addEventListener("reveal", function (e) {
        var msg = JSON.parse(e.data);
        if (lines.some(function (l) { return l.id === msg.line.id; })) return;
        if (msg.count !== lines.length + 1) { connect(); return; }  // missed one: re-sync
        lines.push(msg.line);
        render();
      });
      source.addEventListener("resync", function () { connect(); });
      // On a dropped connection EventSource reconnects by itself; the "state" message re-syncs.
    }

    connect();
  }

  function startBoard(root) {
    var url = root.getAttribute("data-board-stream");
    var timer = null;
    var opened = false;
    function refresh() {
      if (timer) return;
      timer = setTimeout(function () {
        timer = null;
        if (window.htmx) window.htmx.trigger(document.body, "board-changed");
      }, 1000);
    }
    var source = new EventSource(url);
    source.addEventListener("changed", refresh);
    source.addEventListener("open", function () {
      if (opened) refresh();  // reconnected: something may have changed meanwhile
      opened = true;
    });
  }

  // The board's classes fold away (a certified one starts folded). What the chief judge opened or folded is kept
  // for this tab and applied again after every reload of the board (live, filters, pages).
  var FOLDS = "concours-board-folds";
  function folds() {
    try { return JSON.parse(sessionStorage.getItem(FOLDS) || "{}"); } catch (e) { return {}; }
  }
  function applyFolds() {
    var kept = folds();
    document.querySelectorAll("details[data-fold]").forEach(function (d) {
      var key = d.getAttribute("data-fold");
      if (key in kept) d.open = kept[key];
    });
  }
  // Only what the chief judge does is kept (a click, or Enter/Space, on a class's summary), not the page's defaults.
  document.addEventListener("click", function (evt) {
    var summary = evt.target.closest && evt.target.closest("details[data-fold] > summary");
    if (!summary) return;
    var d = summary.parentElement;
    var kept = folds();
    kept[d.getAttribute("data-fold")] = !d.open;  // the click is about to toggle it
    try { sessionStorage.setItem(FOLDS, JSON.stringify(kept)); } catch (e) { /* private mode: not kept */ }
  });
  document.addEventListener("htmx:afterSettle", applyFolds);

  function init() {
    applyFolds();
    var live = document.querySelector("[data-live-stream]");
    if (live && window.EventSource) startLive(live);
    var board = document.querySelector("[data-board-stream]");
    if (board && window.EventSource) startBoard(board);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
