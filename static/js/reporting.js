// The report form's ratio, recomputed while the user types (the server recomputes it on save).
(function () {
  "use strict";
  var form = document.querySelector("form[data-ratio-factor]");
  var output = document.getElementById("razon-en-vivo");
  if (!form || !output) {
    return;
  }
  var numerator = document.getElementById("id_numerator");
  var denominator = document.getElementById("id_denominator");
  var factor = parseFloat(form.getAttribute("data-ratio-factor"));
  var decimal = output.getAttribute("data-decimal") || ",";
  var pattern = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

  function read(input) {
    var text = input.value.trim();
    return pattern.test(text) ? parseFloat(text.replace(",", ".")) : NaN;
  }

  function update() {
    var n = read(numerator);
    var d = read(denominator);
    if (isNaN(n) || isNaN(d) || d <= 0) {
      output.textContent = "—";
      return;
    }
    output.textContent = (n / d * factor).toFixed(2).replace(".", decimal);
  }

  numerator.addEventListener("input", update);
  denominator.addEventListener("input", update);
})();
