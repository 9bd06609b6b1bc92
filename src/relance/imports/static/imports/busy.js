/* Long imports: a form marked <form data-busy="Import en cours…"> shows that text in its button and a status line
   once submitted, and its buttons are disabled so the file is not sent twice. No inline script (CSP-friendly). */
document.addEventListener("submit", function (event) {
  var form = event.target, text = form.getAttribute && form.getAttribute("data-busy");
  if (!text || event.defaultPrevented) { return; }
  form.setAttribute("aria-busy", "true");
  form.querySelectorAll("button").forEach(function (button) {
    button.dataset.idle = button.textContent;
    button.textContent = text;
    button.disabled = true;  /* after the submit event fired: the form is still sent (inputs stay enabled) */
  });
  var status = form.querySelector("[data-busy-status]");
  if (status) { status.hidden = false; }
});
/* Back to the page from the browser's cache: the form is usable again. */
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[aria-busy]").forEach(function (form) {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button").forEach(function (button) {
      if (button.dataset.idle) { button.textContent = button.dataset.idle; }
      button.disabled = false;
    });
    var status = form.querySelector("[data-busy-status]");
    if (status) { status.hidden = true; }
  });
});
