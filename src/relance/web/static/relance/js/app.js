/* Every HTMX request carries the CSRF token from the page's meta tag (no inline script needed). */
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
});
/* Forms that ask for confirmation: <form data-confirm="…">. */
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});
/* A step chosen in "send a reminder now" selects its usual channel (captured before HTMX asks for the preview). */
document.addEventListener("change", function (event) {
  var target = event.target.getAttribute && event.target.getAttribute("data-sets-channel");
  var option = target && event.target.selectedOptions[0];
  var channel = option && document.getElementById(target);
  if (channel && option.getAttribute("data-channel")) { channel.value = option.getAttribute("data-channel"); }
}, true);
