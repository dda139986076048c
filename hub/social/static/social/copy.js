// Copy buttons for suggested posts. The buttons are hidden in the HTML and shown
// only when the browser can copy, so nobody meets a button that does nothing.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var status = document.getElementById("copy-status");
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) {
            status.textContent = "Message copied. You can now paste it into a post.";
          }
          button.firstChild.textContent = "Copied";
          window.setTimeout(function () {
            button.firstChild.textContent = "Copy";
          }, 3000);
        },
        function () {
          if (status) {
            status.textContent = "Your browser did not allow copying. Select the message and copy it instead.";
          }
        }
      );
    });
  });
})();
