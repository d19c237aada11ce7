// The evidence bundle's Print button (a file of its own: the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-bundle");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
