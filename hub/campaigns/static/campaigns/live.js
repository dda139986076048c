// Live numbers on a campaign's public page (supporters, estimated reach, places left).
// The page, pre-rendered or not, already shows them as they stood when it was drawn (at
// most a minute old); this only brings them up to date from /campaigns/<slug>/live.json,
// which the page names in data-live-url. Each element marked data-live="<key>" gets the
// text the server gives for that key; a <progress> element gets it as its value.
(function () {
  "use strict";
  var REFRESH_MS = 30000;
  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-live-url");

  function apply(live) {
    root.querySelectorAll("[data-live]").forEach(function (element) {
      var key = element.getAttribute("data-live");
      if (!Object.prototype.hasOwnProperty.call(live, key)) {
        return;
      }
      var value = String(live[key]);
      if (element.tagName === "PROGRESS") {
        element.value = Number(value);
      } else if (element.textContent !== value) {
        element.textContent = value;
      }
    });
  }

  function refresh() {
    if (document.hidden) {
      return;
    }
    // "no-cache": asked of the server each time, never taken from the browser's own cache,
    // whose older answer would undo the newer numbers of a page just rendered.
    fetch(url, { cache: "no-cache", credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.live) {
          apply(data.live);
        }
      })
      .catch(function () {
        // Offline or the server busy: the numbers on the page stand.
      });
  }

  refresh();
  window.setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
})();
