// People's Choice ballot: filter the cars by number as the spectator types (the form also works without it).
(function () {
  "use strict";
  var input = document.querySelector("[data-vote-filter]");
  var list = document.getElementById("vote-cars");
  var none = document.getElementById("vote-none");
  if (!input || !list) return;
  input.form.addEventListener("submit", function (e) { e.preventDefault(); });
  function apply() {
    var q = input.value.replace(/\D/g, "");
    var shown = 0;
    list.querySelectorAll("li[data-car-number]").forEach(function (li) {
      var match = !q || li.getAttribute("data-car-number").indexOf(q) === 0;
      li.hidden = !match;
      if (match) shown += 1;
    });
    if (none) none.hidden = shown > 0;
  }
  input.addEventListener("input", apply);
  apply();
})();
