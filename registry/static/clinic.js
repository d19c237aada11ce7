// A form marked data-busy says so while it uploads: its button is disabled (no second
// upload) and the status line reads the form's data-busy text. Served from the site itself,
// so the Content-Security-Policy (script-src 'self') needs no inline script.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches("form[data-busy]")) return;
  var status = form.querySelector(".busy");
  if (status) status.textContent = form.getAttribute("data-busy");
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
  form.setAttribute("aria-busy", "true");
});
