// Live progress of a send: asks the server for the figures every two seconds and
// updates the text and the bar in place. Without JavaScript the page shows the
// figures as they were when it loaded, with a link to refresh.
(function () {
  "use strict";
  var box = document.getElementById("send-progress");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var news = document.getElementById("send-progress-news");
  var lastStatus = null;
  function update() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (figures) {
        if (!figures) {
          return;
        }
        box.querySelectorAll("[data-field]").forEach(function (field) {
          var value = figures[field.getAttribute("data-field")];
          if (value !== undefined && String(value) !== field.textContent) {
            field.textContent = value;
          }
        });
        bar.max = Math.max(figures.total, 1);
        bar.value = figures.sent + figures.failed;
        bar.textContent = figures.percent + "%";
        // Screen readers hear about changes of state, not every figure every two seconds.
        if (lastStatus !== null && figures.status !== lastStatus && news) {
          news.textContent = figures.status_label + ": " + figures.sent + " sent, " + figures.failed + " failed.";
        }
        lastStatus = figures.status;
        if (figures.status === "sending") {
          window.setTimeout(update, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(update, 5000);
      });
  }
  window.setTimeout(update, 2000);
})();
