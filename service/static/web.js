// The reviewers' "reveal" buttons: a masked ID or phone number is fetched unmasked from the
// API's audited route (GET …/findings/{n}/value?reveal=1; each use is logged with who and
// when) and shown beside the button, only in this page, never stored. Without scripts the
// buttons stay hidden and the page shows masked values only.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-reveal]");
  Array.prototype.forEach.call(buttons, function (button) {
    var output = button.parentNode.querySelector("output");
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch(button.dataset.reveal, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (body) {
          var value = body.value;
          output.textContent = typeof value === "string" ? value : JSON.stringify(value);
        })
        .catch(function (error) {
          output.textContent = "无法显示 / cannot reveal (" + error.message + ")";
          button.disabled = false;
        });
    });
  });
}());
