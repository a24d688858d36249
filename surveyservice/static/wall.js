// The live results wall: polls its small summary every few seconds and updates the
// texts and bars in place. Written for the older Chromium of TV browsers: no modules,
// no framework. It runs all day: nothing grows (one timer, no listeners added per
// poll), a network error or a request that has not settled within about 10 s keeps
// the last figures and backs off, there is always a timer for the next poll, and the
// page reloads itself every few hours or when the server's wall script or style has
// changed.
(function () {
  "use strict";
  var root = document.getElementById("wall");
  if (!root || !window.fetch) return; // the <noscript> refresh's older sibling: reload by hand
  var summaryUrl = root.getAttribute("data-summary");
  var pollMs = Number(root.getAttribute("data-poll")) || 3000;
  var reloadAfter = Number(root.getAttribute("data-reload-after")) || 4 * 3600 * 1000;
  var version = root.getAttribute("data-version");
  var layout = root.getAttribute("data-layout");
  var reconnecting = root.getAttribute("data-reconnecting");
  var status = document.getElementById("wall-status");
  var total = document.getElementById("wall-total");
  var message = document.getElementById("wall-message");
  var questions = root.querySelectorAll(".question");
  var started = Date.now();
  var failures = 0;
  var lastBody = null;
  var timer = null;
  var busy = false;
  var asking = 0; // which request is awaited; a later number abandons the earlier
  var timeoutMs = Number(root.getAttribute("data-timeout")) || 10000;

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
    element.hidden = !text;
  }

  function sizeClass(data) {
    var rows = 0;
    for (var i = 0; i < data.questions.length; i++) rows += data.questions[i].rows.length + 2;
    return rows <= 8 ? "size-l" : rows <= 14 ? "size-m" : "size-s";
  }

  function setClasses(stateName, size) {
    var name = "wall state-" + stateName + " " + size;
    if (root.className !== name) root.className = name;
  }

  function makeRow() {
    var li = document.createElement("li");
    var label = document.createElement("span");
    var figure = document.createElement("span");
    var bar = document.createElement("span");
    var fill = document.createElement("span");
    label.className = "row-label";
    figure.className = "row-figure";
    bar.className = "bar";
    bar.setAttribute("aria-hidden", "true");
    fill.className = "fill w-0";
    bar.appendChild(fill);
    li.appendChild(label);
    li.appendChild(figure);
    li.appendChild(bar);
    return li;
  }

  function showRows(list, rows) {
    while (list.children.length > rows.length) list.removeChild(list.lastChild);
    while (list.children.length < rows.length) list.appendChild(makeRow());
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var li = list.children[i];
      var rowClass = row.count === null ? "row suppressed" : "row";
      if (li.className !== rowClass) li.className = rowClass;
      setText(li.children[0], row.label);
      setText(li.children[1], row.figure);
      var fillClass = "fill w-" + (row.width || 0);
      var fill = li.children[2].firstChild;
      if (fill.className !== fillClass) fill.className = fillClass;
    }
  }

  function show(data) {
    if (data.version !== version || data.layout !== layout) {
      window.location.reload();
      return false;
    }
    setClasses(data.state, sizeClass(data));
    setText(total, data.total || "");
    setText(message, data.message || "");
    for (var i = 0; i < questions.length && i < data.questions.length; i++) {
      var question = data.questions[i];
      var section = questions[i];
      setText(section.querySelector("h2"), question.label);
      setText(section.querySelector(".note"), question.note || "");
      showRows(section.querySelector(".rows"), question.rows);
    }
    setText(status, data.status);
    return true;
  }

  function removed(data) {
    setClasses("removed", "size-l");
    setText(total, "");
    setText(message, "");
    for (var i = 0; i < questions.length; i++) questions[i].hidden = true;
    var answer = root.querySelector(".answer");
    if (answer) answer.hidden = true;
    setText(status, data.message || "");
  }

  function next(delay) {
    // One timer at a time, whatever called.
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function failed() {
    busy = false;
    failures += 1;
    // The last figures stay; the screen says quietly that it is trying again.
    setClasses("offline", root.className.match(/size-\w+/)[0]);
    setText(status, reconnecting);
    next(Math.min(pollMs * Math.pow(2, failures), 60000));
  }

  function poll() {
    if (Date.now() - started > reloadAfter) {
      window.location.reload();
      return;
    }
    if (busy) {
      next(pollMs); // never without a timer
      return;
    }
    busy = true;
    var asked = ++asking;
    // A request that never settles (a stuck proxy) is given up after timeoutMs and
    // counts as a network error. Where AbortController is missing (older TV
    // browsers) the request is left to itself and its late answer ignored.
    var controller = window.AbortController ? new window.AbortController() : null;
    var deadline = window.setTimeout(function () {
      if (asked !== asking) return;
      asking += 1;
      if (controller) controller.abort();
      failed();
    }, timeoutMs);
    function settled() {
      if (asked !== asking) return false; // given up already: a late answer
      window.clearTimeout(deadline);
      return true;
    }
    var options = { credentials: "omit" };
    if (controller) options.signal = controller.signal;
    // The browser's cache revalidates with the ETag: an unchanged summary is a 304.
    window
      .fetch(summaryUrl, options)
      .then(function (response) {
        if (asked !== asking) return;
        if (response.status === 404) {
          return response.json().then(function (data) {
            if (!settled()) return;
            busy = false;
            removed(data);
            // Gone for good (its address was random): look again only now and then.
            next(5 * 60 * 1000);
          });
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text().then(function (body) {
          if (!settled()) return;
          busy = false;
          var wasFailing = failures > 0;
          failures = 0;
          next(pollMs);
          if (body !== lastBody || wasFailing) {
            lastBody = body;
            show(JSON.parse(body));
          }
        });
      })
      .catch(function () {
        if (settled()) failed();
      });
  }

  // Back on the network: ask at once rather than after the back-off.
  window.addEventListener("online", function () {
    if (failures > 0) next(0);
  });
  next(pollMs);
})();
